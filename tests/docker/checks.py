"""docker/ against what runs natively: what the compose file and Dockerfiles say, as Docker's
own parsers read them (docker/check: compose-go and BuildKit's parser), compared with
ports.env, config/ckan.ini.template, requirements/ and scripts/backup-lib.sh."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT / ".venv" / "go" / "bin" / "dockercheck"
LONG_RUNNING = {"postgres", "redis", "solr", "ckan", "nginx", "airflow-api-server", "airflow-scheduler",
                "airflow-dag-processor"}
VOLUMES = {"pgdata", "walarchive", "solrdata", "ckanstorage", "archive", "inbox", "backups"}


def _run(*args: str) -> dict | list:
    if not CHECKER.exists():
        raise RuntimeError(f"{CHECKER} is missing: scripts/setup-dockercheck.sh builds it (make test runs it)")
    done = subprocess.run([str(CHECKER), *args], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "QINGYANG_ENV_DIR": "./env.example"})
    if done.returncode != 0:
        raise ValueError(done.stderr.strip())
    return json.loads(done.stdout)


def load_compose(docker_dir: Path) -> dict:
    return _run("compose", str(docker_dir / "compose.yaml"))


def load_dockerfile(path: Path) -> list[dict]:
    return _run("dockerfile", str(path))


def native() -> dict:
    """The facts the native install runs on."""
    ports = dict(line.split("=", 1) for line in (ROOT / "ports.env").read_text().splitlines()
                 if line and not line.startswith("#"))
    template = (ROOT / "config" / "ckan.ini.template").read_text()
    plugins = re.search(r"^ckan\.plugins = (.*)$", template, re.M).group(1).split()
    pins = {}
    for name in ("ckan-constraints.txt", "airflow-constraints.txt"):
        for line in (ROOT / "requirements" / name).read_text().splitlines():
            if "==" in line and not line.startswith("#"):
                pkg, version = line.split("==", 1)
                pins[pkg.strip().lower()] = version.split(";")[0].strip()
    solr = re.search(r"<solr.version>(.*?)</solr.version>", (ROOT / "solr" / "pom.xml").read_text()).group(1)
    wal = subprocess.run(["bash", "-c", f'source "{ROOT}/scripts/backup-lib.sh"; '
                          'wal_archive_conf /var/lib/postgresql/wal-archive'],
                         capture_output=True, text=True, check=True).stdout
    wal_settings = {k: v.strip("'") for k, v in (line.split(" = ", 1) for line in wal.splitlines())}
    return {"ports": ports, "plugins": plugins, "ckan": pins["ckan"], "airflow": pins["apache-airflow"],
            "solr": solr, "python": f"{sys.version_info.major}.{sys.version_info.minor}", "wal": wal_settings,
            "databases": {"ckan_default", "datastore_default", "airflow"}}


def _url_problems(what: str, url: str, host: str, port: str, path: str | None = None) -> list[str]:
    u = urlsplit(url)
    out = []
    if u.hostname != host or str(u.port) != port:
        out.append(f"{what}: {u.hostname}:{u.port} instead of {host}:{port}")
    if path is not None and u.path.strip("/") != path:
        out.append(f"{what}: path /{u.path.strip('/')} instead of /{path}")
    return out


def _from(dockerfile: list[dict]) -> str:
    return [i for i in dockerfile if i["cmd"] == "FROM"][-1]["args"][0]


def problems(docker_dir: Path) -> list[str]:
    """Every way docker/ disagrees with the native install (empty: they agree)."""
    n, out = native(), []
    p = load_compose(docker_dir)
    s = p["services"]
    missing = LONG_RUNNING - set(s)
    if missing:
        return [f"services missing: {sorted(missing)}"]
    ports = n["ports"]

    # official images at this project's versions
    if s["postgres"]["image"] != "postgres:15":
        out.append(f"postgres image {s['postgres']['image']} instead of postgres:15")
    if s["redis"]["image"] != "redis:7":
        out.append(f"redis image {s['redis']['image']} instead of redis:7")
    if not s["nginx"]["image"].startswith("nginx:"):
        out.append(f"nginx image {s['nginx']['image']} is not the official nginx")
    wanted = {"ckan": f"ckan/ckan-base:{n['ckan']}", "solr": f"solr:{n['solr']}",
              "airflow-api-server": f"apache/airflow:{n['airflow']}-python{n['python']}"}
    for name, base in wanted.items():
        build = s[name].get("build") or {}
        dockerfile = Path(build.get("context", "")) / build.get("dockerfile", "")
        if not dockerfile.is_file():
            out.append(f"{name}: Dockerfile {dockerfile} not found")
            continue
        parsed = load_dockerfile(dockerfile)
        if _from(parsed) != base:
            out.append(f"{name}: {dockerfile.name} builds on {_from(parsed)} instead of {base}")
        for ins in parsed:
            if ins["cmd"] in ("COPY", "ADD") and not any(f.startswith("--from") for f in ins["flags"]):
                for src in ins["args"][:-1]:
                    if not (Path(build["context"]) / src).exists():
                        out.append(f"{name}: {dockerfile.name} line {ins['line']} copies {src}, which does not exist")
            if ins["cmd"] == "RUN" and "pip install" in ins["args"][0] and "requirements/" in ins["args"][0]:
                if not re.search(r"-c \S*requirements/\S*-constraints\.txt", ins["args"][0]):
                    out.append(f"{name}: {dockerfile.name} line {ins['line']} installs without the constraints")
    for a in ("airflow-scheduler", "airflow-dag-processor"):
        if s[a].get("build") != s["airflow-api-server"].get("build"):
            out.append(f"{a} is not built like airflow-api-server")

    # ports and addresses
    env = s["ckan"]["environment"]
    out += _url_problems("CKAN_SOLR_URL", env.get("CKAN_SOLR_URL", ""), "solr", ports["SOLR_PORT"], "solr/ckan")
    out += _url_problems("CKAN_REDIS_URL", env.get("CKAN_REDIS_URL", ""), "redis", ports["REDIS_PORT"])
    dbs = {}
    for key in ("CKAN_SQLALCHEMY_URL", "CKAN_DATASTORE_WRITE_URL", "CKAN_DATASTORE_READ_URL"):
        out += _url_problems(key, env.get(key, ""), "postgres", ports["PG_PORT"])
        dbs[key] = urlsplit(env.get(key, "")).path.strip("/")
    airflow_env = s["airflow-api-server"]["environment"]
    out += _url_problems("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", airflow_env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", ""),
                         "postgres", ports["PG_PORT"])
    out += _url_problems("AIRFLOW_CONN_QINGYANG_CKAN", airflow_env.get("AIRFLOW_CONN_QINGYANG_CKAN", ""),
                         "ckan", ports["CKAN_PORT"])
    dbs["airflow"] = urlsplit(airflow_env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")).path.strip("/")
    if set(dbs.values()) != n["databases"]:
        out.append(f"databases {sorted(set(dbs.values()))} instead of {sorted(n['databases'])}")
    init = (docker_dir / "postgres" / "init" / "10-qingyang.sh").read_text()
    for db in n["databases"]:
        if f"CREATE DATABASE {db} " not in init:
            out.append(f"postgres/init does not create the database {db}")
    if ports["CKAN_PORT"] not in s["ckan"].get("expose", []):
        out.append(f"ckan does not expose CKAN_PORT {ports['CKAN_PORT']}")
    if f"http://ckan:{ports['CKAN_PORT']}" not in (docker_dir / "nginx" / "qingyang.conf").read_text():
        out.append(f"nginx does not proxy to ckan:{ports['CKAN_PORT']}")
    if ports["AIRFLOW_PORT"] not in s["airflow-api-server"].get("expose", []) or \
            ports["AIRFLOW_PORT"] not in s["airflow-api-server"]["command"]:
        out.append(f"airflow-api-server does not serve AIRFLOW_PORT {ports['AIRFLOW_PORT']}")
    if ports["REDIS_PORT"] not in s["redis"]["command"]:
        out.append(f"redis does not listen on REDIS_PORT {ports['REDIS_PORT']}")
    if s["solr"]["environment"].get("SOLR_PORT") != ports["SOLR_PORT"]:
        out.append(f"solr does not listen on SOLR_PORT {ports['SOLR_PORT']}")
    for name, port in (("ckan", "CKAN_PORT"), ("solr", "SOLR_PORT"), ("airflow-api-server", "AIRFLOW_PORT"),
                       ("redis", "REDIS_PORT"), ("postgres", "PG_PORT")):
        if ports[port] not in " ".join(s[name].get("healthcheck", {}).get("test", [])):
            out.append(f"{name}'s health check does not ask port {ports[port]} ({port})")

    # CKAN's settings: the template's plugins (+ envvars, which reads the CKAN_* variables)
    plugins = env.get("CKAN__PLUGINS", "").split()
    if [x for x in plugins if x != "envvars"] != n["plugins"] or "envvars" not in plugins:
        out.append(f"CKAN__PLUGINS {plugins} differs from config/ckan.ini.template's {n['plugins']} + envvars")

    # WAL archiving as scripts/backup-lib.sh sets it natively
    command = s["postgres"].get("command") or []
    settings = dict(c.split("=", 1) for c in command if "=" in c)
    for key, value in n["wal"].items():
        if settings.get(key) != value:
            out.append(f"postgres {key} is {settings.get(key)!r}, natively {value!r}")

    # every service is watched and restarted; the data lives in named volumes
    for name in sorted(LONG_RUNNING):
        if not s[name].get("healthcheck", {}).get("test"):
            out.append(f"{name} has no health check")
        if s[name].get("restart") != "unless-stopped":
            out.append(f"{name} is not restarted (restart: unless-stopped)")
    if VOLUMES - set(p.get("volumes", {})):
        out.append(f"volumes missing: {sorted(VOLUMES - set(p.get('volumes', {})))}")
    return out
