"""Sphinx configuration for the skgan documentation."""

import skgan

project = "skgan"
author = "The skgan developers"
copyright = "2026, The skgan developers"
version = release = skgan.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "download_all_examples": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"skgan {version}"
