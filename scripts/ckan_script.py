"""Run a Python file inside CKAN's app context: ckan_script.py INI FILE."""
import runpy
import sys

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

app = make_app(CKANConfigLoader(sys.argv[1]).get_config())
with app._wsgi_app.test_request_context():
    runpy.run_path(sys.argv[2], run_name="__main__")
