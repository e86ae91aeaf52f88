"""Shareable state: the entity, the selected node or link, the open gap-map cell live in the URL.

Why not ``bind="query-params"`` for these: a bound select box writes its *formatted* option into the URL
("microglial cell · CellType · 212 papers"), which changes with every load and is not an id.  These widgets keep
ids as values, so :func:`seed` gives a widget the URL's value when the URL brings a new one (a pasted link, a link
from another page), and :func:`publish` writes the widget's value back, so the address bar always shows a link
to what is on screen.  Plain-text widgets (the search box, a type) use ``bind="query-params"`` directly.  A
multiselect of ids (Explore's relation types) keeps its list as one comma-separated parameter
(``?relations=Negative_Correlation,Association``): ``seed(..., many=True)`` reads it back, ids not on offer dropped.
"""

from __future__ import annotations

from collections.abc import Container

import streamlit as st


def _seen(param: str) -> str:
    return f"_url_seen_{param}"


def seed(key: str, valid: Container[str] | None = None, param: str | None = None, many: bool = False) -> None:
    """Before widget ``key`` is drawn: take the URL's ``param`` (default: the key) when it is new to this page
    (not what :func:`publish` last wrote) and, if ``valid`` is given, one of its values (``many``: a
    comma-separated list of them, for a multiselect; values not valid are dropped)."""
    param = param or key
    value = st.query_params.get(param)
    if value is None or value == st.session_state.get(_seen(param)):
        return
    st.session_state[_seen(param)] = value
    if many:
        st.session_state[key] = [v for v in value.split(",") if v and (valid is None or v in valid)]
    elif valid is None or value in valid:
        st.session_state[key] = value


def publish(key: str, param: str | None = None) -> None:
    """After widget ``key`` is drawn: its value into the URL's ``param`` (default: the key); a list (a
    multiselect's) as its values joined by commas."""
    param = param or key
    value = st.session_state.get(key)
    text = "" if value is None else ",".join(map(str, value)) if isinstance(value, list) else str(value)
    if st.query_params.get(param) != text:
        if text:
            st.query_params[param] = text
        else:
            st.query_params.pop(param, None)
    st.session_state[_seen(param)] = text
