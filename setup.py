"""Which packages the distribution holds (the rest of the configuration is pyproject.toml).

Every package under ``grader/`` and ``reference/``, found as they are added, and the
repository's top-level ``rubrics/`` folder installed as the package ``grader.rubrics``, whose
TOML files are package data read with ``importlib.resources`` (:mod:`grader.rubric`).
pyproject.toml alone cannot both find packages and map one from another folder.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["grader", "grader.*", "reference", "reference.*"]),
                "grader.rubrics"],
      package_dir={"grader.rubrics": "rubrics"})
