"""The built-in rubrics (``*.toml``), installed as the package data of ``grader.rubrics``."""
