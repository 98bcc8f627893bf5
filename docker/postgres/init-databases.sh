#!/bin/bash
# First start of the postgres volume only (docker-entrypoint-initdb.d): the roles and
# databases scripts/setup-postgres.sh makes natively. Passwords from env/postgres.env.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -U postgres \
  -v ckan_pw="$PG_CKAN_PASSWORD" -v ro_pw="$PG_DATASTORE_RO_PASSWORD" -v af_pw="$PG_AIRFLOW_PASSWORD" <<'SQL'
CREATE ROLE ckan_default LOGIN PASSWORD :'ckan_pw';
CREATE ROLE datastore_ro LOGIN PASSWORD :'ro_pw';
CREATE ROLE airflow LOGIN PASSWORD :'af_pw';
CREATE DATABASE ckan_default OWNER ckan_default ENCODING 'UTF8';
CREATE DATABASE datastore_default OWNER ckan_default ENCODING 'UTF8';
CREATE DATABASE airflow OWNER airflow ENCODING 'UTF8';
SQL
