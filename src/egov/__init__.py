"""egov: open-source e-government platform for Vietnamese local government."""

__version__ = "0.1.0"
