"""deploy/kubernetes: every manifest is valid against the Kubernetes schemas (offline, with the
kubernetes-validate package's bundled schemas, strict: unknown fields fail) and the production
shape holds: one beat, probes on /health/, resources everywhere, the HPA and the PDB on the web
pods, matching runs on their own workers, one image and one configuration for every container."""

from __future__ import annotations

import copy
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.30.0"  # the oldest minor version still commonly run; newer ones accept it too
NOT_APPLIED = {"migrate-job.yaml", "secret.example.yaml"}  # run per release / an example


def documents() -> list[tuple[str, dict]]:
    return [(path.name, doc) for path in sorted(DEPLOY.glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def resources() -> list[tuple[str, dict]]:
    return [(name, doc) for name, doc in documents() if doc["kind"] != "Kustomization"]


def one(kind: str, name: str) -> dict:
    found = [doc for _file, doc in resources() if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def workloads() -> list[dict]:
    return [doc for _file, doc in resources() if doc["kind"] in ("Deployment", "Job")]


def containers(workload: dict, *, init: bool = True) -> list[dict]:
    spec = workload["spec"]["template"]["spec"]
    return [*(spec.get("initContainers", []) if init else []), *spec["containers"]]


def command(container: dict) -> str:
    return shlex.join([*container.get("command", []), *container.get("args", [])])


def queues(container: dict) -> set[str]:
    args = [*container.get("command", []), *container.get("args", [])]
    for flag in ("--queues", "-Q"):
        if flag in args:
            return set(args[args.index(flag) + 1].split(","))
    return set()


@pytest.mark.parametrize(("file", "doc"), resources(), ids=lambda v: v if isinstance(v, str) else v["kind"])
def test_every_manifest_is_valid_against_the_kubernetes_schemas(file, doc):
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_catches_a_misspelt_field():
    web = copy.deepcopy(one("Deployment", "flipside-web"))
    web["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_applies_every_manifest_but_the_release_job_and_the_example_secret():
    (kustomization,) = [doc for _file, doc in documents() if doc["kind"] == "Kustomization"]
    manifests = {path.name for path in DEPLOY.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == manifests - NOT_APPLIED


def test_exactly_one_beat_replaced_by_recreate():
    beat_command = re.compile(r"\bcelery\b.*\bbeat\b")
    beats = [w for w in workloads() if any(beat_command.search(command(c)) for c in containers(w))]
    assert [b["metadata"]["name"] for b in beats] == ["flipside-beat"]
    (beat,) = beats
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    scaled = {d["spec"]["scaleTargetRef"]["name"] for _f, d in resources()
              if d["kind"] == "HorizontalPodAutoscaler"}
    assert "flipside-beat" not in scaled


def test_the_web_pods_are_probed_on_health_as_the_public_host_over_forwarded_https():
    web = one("Deployment", "flipside-web")
    (container,) = containers(web, init=False)
    port_names = {p["name"]: p["containerPort"] for p in container["ports"]}
    config = one("ConfigMap", "flipside-config")["data"]
    for probe in ("readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == "/health/"
        assert get["port"] in port_names or get["port"] in port_names.values()
        headers = {h["name"]: h["value"] for h in get["httpHeaders"]}
        # Django answers 400 to a host it does not know and redirects plain http to https.
        assert headers["Host"] in config["ALLOWED_HOSTS"].split(",")
        assert headers["X-Forwarded-Proto"] == "https"
    assert "--bind" in container["command"] and "0.0.0.0:8000" in container["command"]
    assert container["command"][0] == "gunicorn"


def test_every_container_asks_for_cpu_and_memory_and_is_capped_in_memory():
    for workload in workloads():
        for container in containers(workload):
            resources_ = container.get("resources", {})
            where = f"{workload['metadata']['name']}/{container['name']}"
            assert {"cpu", "memory"} <= set(resources_.get("requests", {})), where
            assert "memory" in resources_.get("limits", {}), where


def test_the_autoscaler_scales_the_web_deployment_and_nothing_fights_it():
    hpa = one("HorizontalPodAutoscaler", "flipside-web")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": "flipside-web"}
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    # A replica count in the manifest would reset the autoscaler's choice at every apply.
    assert "replicas" not in one("Deployment", "flipside-web")["spec"]
    # CPU utilisation is measured against the request: the web container must have one.
    assert containers(one("Deployment", "flipside-web"), init=False)[0]["resources"]["requests"]["cpu"]


def test_the_disruption_budget_and_the_service_select_the_web_pods_only():
    labels = {w["metadata"]["name"]: w["spec"]["template"]["metadata"]["labels"] for w in workloads()}

    def selected(selector: dict) -> set[str]:
        return {name for name, pod in labels.items() if selector.items() <= pod.items()}

    pdb = one("PodDisruptionBudget", "flipside-web")
    assert selected(pdb["spec"]["selector"]["matchLabels"]) == {"flipside-web"}
    assert pdb["spec"]["minAvailable"] < one("HorizontalPodAutoscaler", "flipside-web")["spec"]["minReplicas"]
    assert selected(one("Service", "flipside-web")["spec"]["selector"]) == {"flipside-web"}
    # Each Deployment's own selector picks its pods and no other workload's.
    for workload in workloads():
        if workload["kind"] == "Deployment":
            assert selected(workload["spec"]["selector"]["matchLabels"]) == {workload["metadata"]["name"]}


def test_the_ingress_sends_the_public_host_to_the_web_service():
    ingress = one("Ingress", "flipside")
    (rule,) = ingress["spec"]["rules"]
    config = one("ConfigMap", "flipside-config")["data"]
    assert rule["host"] in config["ALLOWED_HOSTS"].split(",")
    assert config["SITE_URL"] == f"https://{rule['host']}"
    assert rule["host"] in ingress["spec"]["tls"][0]["hosts"]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    service = one("Service", backend["name"])
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_matching_runs_have_their_own_workers_and_every_queue_is_consumed():
    assert settings.CELERY_TASK_ROUTES["pairing.tasks.run_matching"] == {"queue": "matching"}
    matching = containers(one("Deployment", "flipside-matching-worker"))
    default = containers(one("Deployment", "flipside-worker"))
    assert [queues(c) for c in matching] == [{"matching"}]
    assert [queues(c) for c in default] == [{settings.CELERY_TASK_DEFAULT_QUEUE}]
    consumed = set().union(*(queues(c) for w in workloads() for c in containers(w)))
    assert consumed == {q.name for q in settings.CELERY_TASK_QUEUES}
    # A run may finish before its pod is stopped: the grace period outlasts the task's hard limit.
    from pairing.tasks import run_matching

    grace = one("Deployment", "flipside-matching-worker")["spec"]["template"]["spec"]
    assert grace["terminationGracePeriodSeconds"] > run_matching.time_limit


def test_one_image_and_one_configuration_for_every_container():
    images = {c["image"] for w in workloads() for c in containers(w)}
    assert images == {"flipside:latest"}  # release.sh replaces it with the release's image
    assert "image: flipside:latest" in (DEPLOY / "release.sh").read_text()
    for workload in workloads():
        for container in containers(workload):
            refs = {(k, v["name"]) for ref in container["envFrom"] for k, v in ref.items()}
            assert refs == {("configMapRef", "flipside-config"), ("secretRef", "flipside-secrets")}
        assert workload["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


def test_migrations_run_in_a_job_and_web_pods_wait_for_them():
    job = one("Job", "flipside-migrate")
    (migrate,) = containers(job)
    assert migrate["command"][-2:] == ["migrate", "--noinput"]
    (init,) = one("Deployment", "flipside-web")["spec"]["template"]["spec"]["initContainers"]
    assert init["command"][-2:] == ["migrate", "--check"]
    release = (DEPLOY / "release.sh").read_text()
    assert release.index("job/flipside-migrate") < release.index("kubectl kustomize")


def test_the_configuration_and_the_secret_start_django_in_the_production_shape(tmp_path):
    # The ConfigMap plus the Secret's keys are a complete production environment: settings load,
    # with DEBUG off, PostgreSQL, Redis and SMTP (nothing connects here).
    secret = one("Secret", "flipside-secrets")["stringData"]
    assert set(secret) == {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"}
    env = {"PATH": os.environ["PATH"], "VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "mentoring.settings", **one("ConfigMap", "flipside-config")["data"],
           **secret}
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL.split(':')[0], "
            "s.EMAIL_BACKEND.split('.')[-2], s.SITE_URL)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql", "redis", "smtp",
                                     "https://flipside.example.com"]


def test_the_single_workers_of_make_run_and_docker_compose_consume_every_queue():
    every = {q.name for q in settings.CELERY_TASK_QUEUES}
    (procfile_worker,) = [line for line in (ROOT / "Procfile.dev").read_text().splitlines()
                          if line.startswith("worker:")]
    assert queues({"command": shlex.split(procfile_worker)}) == every
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert queues({"command": compose["services"]["worker"]["command"]}) == every


@pytest.mark.integration  # the real Redis broker
def test_a_matching_run_lands_in_the_matching_queue_and_nothing_else_does(tmp_path):
    # Through the real Redis broker (a database of its own), with both queues declared and bound as
    # the workers consuming them declare them: each message is in its own queue, and only there.
    import redis

    url = re.sub(r"/\d*$", "/15", settings.REDIS_URL.rstrip("/"))
    if "/15" not in url:
        url += "/15"
    redis.Redis.from_url(url).flushdb()
    code = (
        "import django; django.setup()\n"
        "from mentoring.celery import app\n"
        # Declared with their bindings, as the workers consuming them do at start-up.
        "with app.connection_for_write() as conn:\n"
        "    for queue in app.amqp.queues.values():\n"
        "        queue(conn.default_channel).declare()\n"
        "from mentoring.tasks import heartbeat\n"
        "from pairing.tasks import run_matching\n"
        "heartbeat.delay(); heartbeat.delay(); run_matching.delay(0)\n"
    )
    env = {"PATH": os.environ["PATH"], "VAR_DIR": str(tmp_path), "REDIS_URL": url,
           "DJANGO_SETTINGS_MODULE": "mentoring.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    broker = redis.Redis.from_url(url)
    try:
        assert [q.name for q in settings.CELERY_TASK_QUEUES] == ["celery", "matching"]
        assert (broker.llen("celery"), broker.llen("matching")) == (2, 1)
    finally:
        broker.flushdb()
