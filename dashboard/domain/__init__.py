"""Pure domain code: pandas/numpy/stdlib only, nothing of Streamlit or of the rest of the package."""
