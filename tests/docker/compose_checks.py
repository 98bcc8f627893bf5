"""What tests/docker/test_compose.py checks: docker/ against what runs natively.

docker/compose.yaml is loaded by compose-go (the loader of `docker compose`), the
Dockerfiles by BuildKit's parser, both through var/qy-compose-check
(scripts/setup-compose-check.sh). `problems()` lists every disagreement with ports.env,
config/ckan.ini.template, requirements/*.txt and solr/pom.xml, one English line each.
"""
import fnmatch
import json
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT / "var" / "qy-compose-check"
SERVICES = {"postgres", "redis", "solr", "ckan", "nginx", "airflow-init",
            "airflow-api-server", "airflow-scheduler", "airflow-dag-processor"}


def _run(*args):
    if not CHECKER.exists():
        raise RuntimeError(f"{CHECKER} is missing: run scripts/setup-compose-check.sh (make install)")
    res = subprocess.run([str(CHECKER), *args], capture_output=True, text=True)
    if res.returncode:
        raise ValueError(res.stderr.strip())
    return json.loads(res.stdout)


def load_compose(docker_dir, *overrides):
    """The normalised project (compose.yaml, then the override files named); the env files
    are the committed *.env.example copies."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "docker"
        shutil.copytree(docker_dir, copy, ignore=shutil.ignore_patterns("check"))
        for example in (copy / "env").glob("*.env.example"):
            shutil.copy(example, example.with_suffix(""))
        project = _run(str(copy / "compose.yaml"), *(str(copy / o) for o in overrides))
    # paths back to the checked folder (the loader resolved them inside the copy)
    return json.loads(json.dumps(project).replace(str(Path(tmp)), str(Path(docker_dir).parent)))


def parse_dockerfiles(paths):
    return _run("-dockerfile", *map(str, paths))


def ports_env(root=ROOT):
    out = {}
    for line in (root / "ports.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            k, _, v = line.partition("=")
            out[k.strip()] = v.strip()
    return out


def ini_template(root=ROOT):
    out = {}
    for line in (root / "config" / "ckan.ini.template").read_text(encoding="utf-8").splitlines():
        if " = " in line and not line.startswith("#"):
            k, _, v = line.partition(" = ")
            out[k.strip()] = v.strip()
    return out


def pinned(req_file, name):
    for line in req_file.read_text().splitlines():
        m = re.match(rf"^{re.escape(name)}(\[[^\]]*\])?==([\w.]+)", line.strip(), re.I)
        if m:
            return m.group(2)
    raise ValueError(f"{req_file.name} pins no {name}")


def solr_version(root=ROOT):
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    return ET.parse(root / "solr" / "pom.xml").find("m:properties/m:solr.version", ns).text


WAL_DIR = "/var/lib/postgresql/wal-archive"


def wal_settings(root=ROOT):
    """What scripts/backup-lib.sh's wal_archive_conf sets natively, for the container's archive."""
    out = subprocess.run(["bash", "-c", f'source "{root}/scripts/backup-lib.sh"; wal_archive_conf {WAL_DIR}'],
                         capture_output=True, text=True, check=True).stdout
    return {k: v.strip("'") for k, v in (line.split(" = ", 1) for line in out.splitlines())}


def problems(docker_dir=ROOT / "docker", root=ROOT):
    docker_dir = Path(docker_dir)
    p = []
    project = load_compose(docker_dir)
    svc = project["services"]
    ports = ports_env(root)
    ini = ini_template(root)
    ckan_v = pinned(root / "requirements" / "ckan.txt", "ckan")
    airflow_v = pinned(root / "requirements" / "airflow.txt", "apache-airflow")
    solr_v = solr_version(root)

    if set(svc) != SERVICES:
        p.append(f"services: {sorted(svc)} != {sorted(SERVICES)}")
        return p

    # images: the official ones, at the versions that run natively
    want_images = {"postgres": "postgres:15", "redis": "redis:7", "ckan": f"qingyang/ckan:{ckan_v}",
                   "solr": f"qingyang/solr:{solr_v}"}
    want_images.update({s: f"qingyang/airflow:{airflow_v}" for s in svc if s.startswith("airflow")})
    for s, image in want_images.items():
        if svc[s].get("image") != image:
            p.append(f"{s}: image {svc[s].get('image')} != {image}")
    if not str(svc["nginx"].get("image", "")).startswith("nginx:"):
        p.append("nginx: not the official nginx image")

    # ports: what each container listens on is ports.env's
    listen = {"postgres": ports["PG_PORT"], "redis": ports["REDIS_PORT"],
              "solr": ports["SOLR_PORT"], "ckan": ports["CKAN_PORT"]}
    for s, port in listen.items():
        if svc[s].get("expose") != [port]:
            p.append(f"{s}: expose {svc[s].get('expose')} != ports.env {port}")
        test = " ".join(svc[s].get("healthcheck", {}).get("test") or [])
        if port not in test:
            p.append(f"{s}: health check {test!r} does not use port {port}")
    api = svc["airflow-api-server"]
    if [str(x["target"]) for x in api.get("ports") or []] != [ports["AIRFLOW_PORT"]] \
            or ports["AIRFLOW_PORT"] not in " ".join(api["command"]):
        p.append(f"airflow-api-server: port {api.get('ports')} / {api['command']} != ports.env {ports['AIRFLOW_PORT']}")
    for s in svc:
        if s.startswith("airflow"):
            url = urlsplit((svc[s].get("environment") or {}).get("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", ""))
            if (url.hostname, str(url.port)) != ("airflow-api-server", ports["AIRFLOW_PORT"]):
                p.append(f"{s}: AIRFLOW__CORE__EXECUTION_API_SERVER_URL is not airflow-api-server:{ports['AIRFLOW_PORT']}")
    for x in api.get("ports") or []:
        if x.get("host_ip") != "127.0.0.1":
            p.append("airflow-api-server: the UI must be published on 127.0.0.1 only")
    nginx_conf = (docker_dir / "nginx" / "default.conf").read_text()
    if f"proxy_pass http://ckan:{ports['CKAN_PORT']};" not in nginx_conf:
        p.append(f"nginx: default.conf does not proxy to ckan:{ports['CKAN_PORT']}")
    for s in svc:
        if s != "airflow-init" and not svc[s].get("healthcheck"):
            p.append(f"{s}: no health check")

    # CKAN: every placeholder of the template is set, and the URLs point at the services
    env = svc["ckan"].get("environment") or {}
    template = (root / "config" / "ckan.ini.template").read_text(encoding="utf-8")
    for var in sorted(set(re.findall(r"\$\{(\w+)\}", template))):
        if not env.get(var):
            p.append(f"ckan: environment lacks {var} (config/ckan.ini.template needs it)")
    for var, key, service, port in (("CKAN_SOLR_URL", "solr_url", "solr", "SOLR_PORT"),
                                    ("CKAN_REDIS_URL", "ckan.redis.url", "redis", "REDIS_PORT"),
                                    ("CKAN_SQLALCHEMY_URL", "sqlalchemy.url", "postgres", "PG_PORT"),
                                    ("CKAN_DATASTORE_WRITE_URL", "ckan.datastore.write_url", "postgres", "PG_PORT"),
                                    ("CKAN_DATASTORE_READ_URL", "ckan.datastore.read_url", "postgres", "PG_PORT")):
        got = urlsplit(env.get(var, ""))
        want = urlsplit(re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), ""), ini[key]))
        if (got.scheme, got.username, got.path) != (want.scheme, want.username, want.path):
            p.append(f"ckan: {var} {got.scheme}://{got.username}@…{got.path} != template {key} "
                     f"{want.scheme}://{want.username}@…{want.path}")
        if got.hostname != service or str(got.port) != ports[port]:
            p.append(f"ckan: {var} points at {got.hostname}:{got.port}, not {service}:{ports[port]}")
    if not env.get("CKAN_SECRET_KEY"):
        p.append("ckan: no CKAN_SECRET_KEY in its env file (the image carries no key)")
    if env.get("CKAN_PORT") != ports["CKAN_PORT"]:
        p.append(f"ckan: CKAN_PORT {env.get('CKAN_PORT')} != ports.env {ports['CKAN_PORT']}")
    if env.get("CKAN_STORAGE") != env.get("CKAN_STORAGE_PATH") or not any(
            v["target"] == env.get("CKAN_STORAGE") for v in svc["ckan"].get("volumes") or []):
        p.append("ckan: the storage path is not the ckan-storage volume")

    # secrets only from env files, never in the compose file itself
    for s in svc:
        for k, v in (yaml_environment(docker_dir, s) or {}).items():
            # a *_FILE names where a secret lives, not the secret
            if (re.search(r"PASSWORD|SECRET|TOKEN|FERNET", k) and not k.endswith("_FILE")) \
                    or re.search(r"://[^/@]*:[^/@]*@", str(v)):
                p.append(f"{s}: secret {k} written in compose.yaml (it belongs in env/*.env)")
        for f in svc[s].get("env_file") or []:
            name = Path(f["path"]).name
            if not (docker_dir / "env" / f"{name}.example").exists():
                p.append(f"{s}: env file {name} has no committed {name}.example")
    # the pipeline's var/ is one volume for ckan and airflow
    mounts = {s: {v["target"] for v in svc[s].get("volumes") or [] if v.get("source") == "pipeline-var"}
              for s in svc if s == "ckan" or s.startswith("airflow")}
    for s, targets in mounts.items():
        want = "/srv/app/var" if s == "ckan" else (svc[s].get("environment") or {}).get(
            "QINGYANG_VAR_DIR", "/opt/airflow/var")
        if targets != {want}:
            p.append(f"{s}: the pipeline-var volume is mounted at {sorted(targets)}, not {want}")
    start = (docker_dir / "ckan" / "start.sh").read_text()
    for opt in ("catalogs_dir", "inbox_dir", "quality_dir"):
        if f"ckanext.qingyang.{opt} = " not in start:
            p.append(f"ckan/start.sh: does not set ckanext.qingyang.{opt}")
    # backup.override.yaml: the host reaches the stores where the template's URLs say
    over = load_compose(docker_dir, "backup.override.yaml")["services"]
    for s, port in (("postgres", "PG_PORT"), ("solr", "SOLR_PORT"), ("redis", "REDIS_PORT")):
        got = [(x.get("host_ip"), str(x.get("published")), str(x["target"])) for x in over[s].get("ports") or []]
        if got != [("127.0.0.1", ports[port], ports[port])]:
            p.append(f"backup.override.yaml: {s} publishes {got}, not 127.0.0.1:{ports[port]}:{ports[port]}")
    # WAL archiving: the volume, and the settings scripts/backup-lib.sh gives the native cluster
    if not any(v.get("source") == "wal-archive" and v.get("target") == WAL_DIR
               for v in svc["postgres"].get("volumes") or []):
        p.append(f"postgres: no wal-archive volume at {WAL_DIR}")
    settings = dict(c.split("=", 1) for c in svc["postgres"].get("command") or [] if "=" in c)
    for key, value in wal_settings(root).items():
        if settings.get(key) != value:
            p.append(f"postgres: {key} is {settings.get(key)!r}, natively {value!r}")
    for v in svc["postgres"].get("volumes", []) + svc["nginx"].get("volumes", []):
        if v["type"] == "bind" and not Path(v["source"]).exists():
            p.append(f"bind mount source {v['source']} does not exist")

    # the build context (the repository) leaves the machine's state and secrets out
    ignore = (root / ".dockerignore").read_text().split() if (root / ".dockerignore").exists() else []
    for must in ("var", ".venv", "docker/env/*.env", ".git"):
        if must not in ignore:
            p.append(f".dockerignore: does not exclude {must}")
    # Dockerfiles: base image tags and COPY sources
    builds = {s: svc[s]["build"] for s in svc if svc[s].get("build")}
    files = {Path(b["context"]) / b["dockerfile"] for b in builds.values()}
    parsed = parse_dockerfiles(sorted(files))
    base = {"ckan": "python:3.11-slim-bookworm", "solr": f"solr:{solr_v}",
            "airflow-init": f"apache/airflow:{airflow_v}-python3.11"}
    for s, b in builds.items():
        df = Path(b["context"]) / b["dockerfile"]
        ins = parsed[str(df)]
        froms = [i["args"][0] for i in ins if i["cmd"] == "FROM"]
        want = base.get(s) or base["airflow-init"]
        if froms[-1] != want:
            p.append(f"{df.name}: final FROM {froms[-1]} != {want}")
        for i in ins:
            if i["cmd"] in ("COPY", "ADD") and not any(f.startswith("--from") for f in i["flags"]):
                for src in i["args"][:-1]:
                    if not (Path(b["context"]) / src).exists():
                        p.append(f"{df.name} line {i['line']}: COPY source {src} does not exist")
                    elif any(fnmatch.fnmatch(src.rstrip("/"), pat) or src.startswith(pat + "/")
                             for pat in ignore if not pat.startswith("#")):
                        p.append(f"{df.name} line {i['line']}: COPY source {src} is excluded by .dockerignore")
        text = df.read_text()
        if s == "ckan" and not ("requirements/ckan.txt" in text and "config/ckan.ini.template" in text):
            p.append("Dockerfile.ckan: does not install requirements/ckan.txt and the config template")
        if s.startswith("airflow") and "requirements/airflow-constraints.txt" not in text:
            p.append("Dockerfile.airflow: does not install with requirements/airflow-constraints.txt")
    return p


def yaml_environment(docker_dir, service):
    """The environment a service writes in compose.yaml itself (not from its env files)."""
    import yaml

    doc = yaml.safe_load((Path(docker_dir) / "compose.yaml").read_text())
    return doc["services"][service].get("environment")
