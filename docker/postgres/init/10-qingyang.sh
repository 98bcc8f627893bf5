#!/bin/bash
# First start only (docker-entrypoint-initdb.d): the roles and databases scripts/setup-postgres.sh
# makes natively. Passwords come from postgres.env.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE ckan_default LOGIN PASSWORD '${PG_CKAN_PASSWORD}';
CREATE ROLE datastore_ro LOGIN PASSWORD '${PG_DATASTORE_RO_PASSWORD}';
CREATE ROLE airflow LOGIN PASSWORD '${PG_AIRFLOW_PASSWORD}';
CREATE DATABASE ckan_default OWNER ckan_default ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE datastore_default OWNER ckan_default ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE airflow OWNER airflow ENCODING 'UTF8' TEMPLATE template0;
SQL
