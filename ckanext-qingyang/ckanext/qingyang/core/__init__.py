"""The pure core: rules the whole platform shares. It imports neither CKAN nor Airflow,
so the DAGs and expectations/build.py may import it as well as the CKAN extension."""
