# The platform's two commands: `make up` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
S := scripts
include ports.env
export BIND_HOST CKAN_PORT SOLR_PORT AIRFLOW_PORT PG_PORT REDIS_PORT TEST_CKAN_PORT

.PHONY: help install up down restart status test ckan collect logs backup restore

help:
	@echo "make up       install what is missing, start everything, load the demo catalog"
	@echo "make test     install what is missing, start what the tests need, run every suite"
	@echo "make down     stop every process the platform started"
	@echo "make status   show what runs"
	@echo "make restart  restart the running services (after changing the code)"
	@echo "make collect  run the collection pipeline once over var/inbox/<organization>/<type>/"
	@echo "make ckan ARGS='sysadmin list'   CKAN's command line with the platform's config"
	@echo "make backup   one folder in var/backup/<UTC time>/ (QY_BACKUP_KEY_FILE, default var/secrets/backup_passphrase)"
	@echo "make restore  FROM=<backup folder> [QY_BACKUP_KEY_FILE=<file>] [FORCE=1]: restore, then verify"

install:
	@bash $(S)/install-system.sh
	@bash $(S)/build-solr.sh
	@bash $(S)/setup-postgres.sh
	@bash $(S)/setup-ckan.sh
	@bash $(S)/setup-airflow.sh
	@bash $(S)/setup-compose-check.sh

up: install
	@bash $(S)/services.sh start redis solr ckan airflow-api-server airflow-scheduler airflow-dag-processor
	@bash $(S)/after-up.sh

down:
	@bash $(S)/services.sh stop

restart:
	@bash $(S)/services.sh restart

status:
	@bash $(S)/services.sh status

test: install
	@bash $(S)/test.sh

collect:
	@bash $(S)/collect.sh

ckan:
	@$(CURDIR)/.venv/ckan/bin/ckan -c $(CURDIR)/var/ckan/ckan.ini $(ARGS)

logs:
	@tail -n 30 var/log/*.log

backup:
	@bash $(S)/backup.sh $(DEST)

restore:
	@bash $(S)/restore.sh "$(FROM)" $(if $(FORCE),--force)
