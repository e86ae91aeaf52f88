"""The Streamlit explorer's pages and the helpers they share (data access, figures, exports)."""
