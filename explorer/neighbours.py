"""How specific a neighbour is to an entity: lift and normalised PMI beside the raw count of shared papers.

Why: ranked by shared papers, every entity's neighbours start with the same hubs (multiple sclerosis,
inflammation, neurons).  Lift (observed ÷ expected shared papers) and NPMI (pointwise mutual information scaled
to −1…1) put first the neighbours that appear with this entity far more often than their overall frequency
predicts.  Both over-reward rare pairs, so a neighbour needs ``min_shared`` papers together to be ranked by them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: How neighbours can be ranked: label shown -> column sorted on.
RANKINGS = {"papers together": "papers", "specificity (NPMI)": "npmi", "lift": "lift"}
#: Fewest shared papers for a neighbour to be ranked by NPMI or lift.
MIN_SHARED = 2


def specificity(pairs: pd.DataFrame, focus_papers: int, papers_of: pd.Series, total: int) -> pd.DataFrame:
    """``pairs`` (neighbour ``id`` and shared ``papers``) with ``lift`` and ``npmi`` columns added.

    ``focus_papers``: papers mentioning the focus; ``papers_of``: papers mentioning each neighbour (by id);
    ``total``: papers counted — all three over the same papers (years, funding) as the shared counts.
    """
    out = pairs.copy()
    n_ab = out["papers"].to_numpy(dtype=float)
    n_b = papers_of.reindex(out["id"]).fillna(0).to_numpy(dtype=float)
    n_a = float(focus_papers)
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = n_ab * total / (n_a * n_b)
        p_ab = n_ab / total
        npmi = np.log(lift) / -np.log(p_ab)
    npmi = np.where(n_ab >= total, 1.0, npmi)  # always together: perfectly associated
    out["lift"] = np.round(np.nan_to_num(lift, nan=0.0, posinf=0.0), 2)
    out["npmi"] = np.round(np.nan_to_num(npmi, nan=-1.0, posinf=1.0, neginf=-1.0), 3)
    return out


def ranked(pairs: pd.DataFrame, by: str, limit: int, min_shared: int = MIN_SHARED) -> pd.DataFrame:
    """The ``limit`` best neighbours by column ``by`` (papers, npmi or lift); ties go to more shared papers."""
    if by == "papers":
        chosen = pairs.sort_values(["papers", "id"], ascending=[False, True])
    else:
        strong = pairs[pairs["papers"] >= min_shared]
        chosen = strong.sort_values([by, "papers", "id"], ascending=[False, False, True])
    return chosen.head(limit).reset_index(drop=True)
