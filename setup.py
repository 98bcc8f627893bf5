"""ckanext-qingyang: the Qingyang data-sharing and disclosure platform's CKAN extension.

The extension's code lives in ckanext-qingyang/; this root setup.py installs it
(see README, "Why one setup.py at the root").

QINGYANG_DIST=core builds ckanext-qingyang-core instead: the pure core
(ckanext.qingyang.core) alone, for the Airflow venv (scripts/setup-airflow.sh). There
ckanext and ckanext.qingyang are namespace portions, so nothing else of the extension
can be imported.
"""
import os
import shutil
from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

SOURCE = "ckanext-qingyang"
CORE = "ckanext.qingyang.core"
CORE_DATA = {CORE: ["schemas/*.yaml", "presets.json"]}
TOPICS = Path(__file__).resolve().parent / "catalogs" / "topics.yaml"


class BuildPy(build_py):
    """core/topics.yaml is a symlink to catalogs/topics.yaml (主题分类, kept with the other
    reference data); a built copy of the core must carry the file itself."""

    def run(self):
        super().run()
        target = Path(self.build_lib, *CORE.split("."), "topics.yaml")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        shutil.copyfile(TOPICS, target)


COMMON = {"version": "0.1.0", "license": "AGPL-3.0", "python_requires": ">=3.10", "package_dir": {"": SOURCE},
          "cmdclass": {"build_py": BuildPy}}

if os.environ.get("QINGYANG_DIST") == "core":
    setup(
        name="ckanext-qingyang-core",
        description="庆阳市政务信息资源共享与公开平台: the pure core (list definitions, codes, rules)",
        packages=find_namespace_packages(where=SOURCE, include=[CORE, f"{CORE}.*"],
                                         exclude=[f"{CORE}.tests", f"{CORE}.tests.*"]),
        package_data=CORE_DATA,
        # openpyxl pinned: parsing's fast reader uses its private classes
        install_requires=["pyyaml", "openpyxl==3.1.5", "chinesecalendar", "charset-normalizer", "pypinyin"],
        # markers.file_text of PDF attachments; risk.file_findings of PDF and DOCX ones
        extras_require={"pdf": ["pypdf"], "docx": ["python-docx"]},
        **COMMON,
    )
else:
    setup(
        name="ckanext-qingyang",
        description="庆阳市政务信息资源共享与公开平台 CKAN extension",
        packages=find_namespace_packages(where=SOURCE, include=["ckanext.*"]),
        include_package_data=True,
        package_data={
            "ckanext.qingyang": [
                "config_declaration.yml", "*/templates/**/*", "*/assets/**/*", "public/**/*", "i18n/**/*", "migration/**/*",
            ],
            **CORE_DATA,
        },
        entry_points={
            "ckan.plugins": [
                "qingyang = ckanext.qingyang.plugin:QingyangPlugin",
            ],
        },
        **COMMON,
    )
