"""ckanext-qingyang: the Qingyang data-sharing and disclosure platform's CKAN extension.

The extension's code lives in ckanext-qingyang/; this root setup.py installs it
(see README, "Why one setup.py at the root").
"""
from setuptools import find_namespace_packages, setup

setup(
    name="ckanext-qingyang",
    version="0.1.0",
    description="庆阳市政务信息资源共享与公开平台 CKAN extension",
    license="AGPL-3.0",
    python_requires=">=3.10",
    package_dir={"": "ckanext-qingyang"},
    packages=find_namespace_packages(where="ckanext-qingyang", include=["ckanext.*"]),
    include_package_data=True,
    package_data={"ckanext.qingyang": [
        "config_declaration.yml", "schemas/*.yaml", "*/templates/**/*", "public/**/*",
        "i18n/**/*", "migration/**/*",
    ]},
    entry_points={
        "ckan.plugins": [
            "qingyang = ckanext.qingyang.plugin:QingyangPlugin",
        ],
    },
)
