#!/usr/bin/env python3
"""Validates docker-compose.yml with docker-compose itself and checks the
pipeline issue 5 asks for: KRaft Kafka with a health check, a topic init job
the services wait for, the two services with health checks, the UI profile.

usage: check_compose.py DOCKER_COMPOSE REPO [COMPOSE_FILE]
"""

import os
import subprocess
import sys
from pathlib import Path

import yaml

errors = []


def expect(condition, message):
    if not condition:
        errors.append(message)


def pinned(image):
    name, _, tag = (image or "").rpartition(":")
    return bool(name) and "/" not in tag and tag not in ("", "latest")


def config(docker_compose, compose_file, *extra, settings=None):
    # Only the file, its .env and `settings` may shape the result, not the caller's TRACKER__ variables.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER__")}
    env.update(settings or {})
    result = subprocess.run([docker_compose, "-f", str(compose_file), *extra, "config"],
                            capture_output=True, text=True, env=env, cwd=compose_file.parent)
    if result.returncode != 0:
        print(f"docker-compose config failed:\n{result.stderr}", file=sys.stderr)
        sys.exit(1)
    return yaml.safe_load(result.stdout)


def published(service):
    found = set()
    for port in service.get("ports", []):
        if isinstance(port, dict):
            found.add((int(port["published"]), int(port["target"])))
        else:
            host, _, container = str(port).rpartition(":")
            found.add((int(host), int(container)))
    return found


def mounts(service):
    """(type, source, target) of each volume entry, in either output syntax
    (docker-compose 1.x prints short strings, compose v2 long mappings)."""
    found = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            found.append((volume.get("type"), str(volume.get("source")), volume.get("target")))
        else:
            source, target = str(volume).split(":")[:2]
            kind = "bind" if source.startswith(("/", ".")) else "volume"
            found.append((kind, source, target))
    return found


def waits_for(service, dependency, condition):
    depends = service.get("depends_on", {})
    return isinstance(depends, dict) and depends.get(dependency, {}).get("condition") == condition


def check_tracker_service(name, service, binary):
    build = service.get("build", {})
    expect(build.get("dockerfile") == "Dockerfile" and build.get("target") == name,
           f"{name}: built from the Dockerfile's {name} target")
    expect(service.get("restart") == "unless-stopped", f"{name}: restart unless-stopped")
    expect(waits_for(service, "kafka-init", "service_completed_successfully"),
           f"{name}: waits for kafka-init to complete successfully")
    env = service.get("environment", {})
    expect(env.get("TRACKER__KAFKA__SERVERS") == '["kafka:29092"]',
           f"{name}: TRACKER__KAFKA__SERVERS is the internal listener")
    expect(all(key.startswith("TRACKER__") for key in env), f"{name}: only TRACKER__ settings")
    test = service.get("healthcheck", {}).get("test", [])
    expect(binary in test and "--health-check" in test, f"{name}: health check runs {binary} --health-check")


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    docker_compose, repo = argv[0], Path(argv[1]).resolve()
    compose_file = Path(argv[2]).resolve() if len(argv) == 3 else repo / "docker-compose.yml"

    default = config(docker_compose, compose_file)
    with_ui = config(docker_compose, compose_file, "--profile", "ui")
    services = with_ui["services"]
    expect(set(services) >= {"kafka", "kafka-init", "pixel-service", "storage-worker", "kafka-ui"},
           f"services present: {sorted(services)}")
    for name, service in services.items():
        if "build" not in service:
            expect(pinned(service.get("image")), f"{name}: image pinned to a tag ({service.get('image')})")

    kafka = services.get("kafka", {})
    expect((kafka.get("image") or "").startswith("apache/kafka:"), "kafka: official apache/kafka image")
    env = kafka.get("environment", {})
    expect(set(str(env.get("KAFKA_PROCESS_ROLES", "")).split(",")) == {"broker", "controller"},
           "kafka: KRaft broker+controller")
    expect(not any("ZOOKEEPER" in key for key in env), "kafka: no ZooKeeper")
    expect("kafka:29092" in str(env.get("KAFKA_ADVERTISED_LISTENERS")) and
           "localhost:9092" in str(env.get("KAFKA_ADVERTISED_LISTENERS")),
           "kafka: internal kafka:29092 and host localhost:9092 listeners advertised")
    expect((9092, 9092) in published(kafka), "kafka: host port 9092")
    expect(any(kind == "volume" and source in with_ui.get("volumes", {}) and target == "/var/lib/kafka/data"
               for kind, source, target in mounts(kafka)), "kafka: data on a named volume")
    health = kafka.get("healthcheck", {})
    expect("kafka-topics.sh" in " ".join(health.get("test", [])) and "--list" in health.get("test", [])
           and "kafka:29092" in health.get("test", []), "kafka: health check lists topics internally")
    expect("start_period" in health, "kafka: health check has a start period")

    init = services.get("kafka-init", {})
    script = " ".join(init.get("command", []) if isinstance(init.get("command"), list)
                      else [str(init.get("command"))])
    expect(waits_for(init, "kafka", "service_healthy"), "kafka-init: waits for a healthy kafka")
    expect(script.count("--if-not-exists") == 2, "kafka-init: both topics with --if-not-exists")
    expect("--topic user-events --partitions 3" in script, "kafka-init: user-events with 3 partitions")
    expect("--topic user-events.dlq" in script, "kafka-init: user-events.dlq")
    # Topics renamed in .env: kafka-init creates the ones the services use
    # (auto-creation is off, so any other name would deliver nothing).
    renamed = config(docker_compose, compose_file, settings={
        "TRACKER__KAFKA__TOPIC": "visits", "TRACKER__KAFKA__DEADLETTERTOPIC": "visits.dead"})
    renamed_init = renamed["services"].get("kafka-init", {})
    renamed_script = " ".join(renamed_init.get("command", []) if isinstance(renamed_init.get("command"), list)
                              else [str(renamed_init.get("command"))])
    for name in ("pixel-service", "storage-worker"):
        expect(renamed["services"].get(name, {}).get("environment", {}).get("TRACKER__KAFKA__TOPIC") == "visits",
               f"{name}: takes TRACKER__KAFKA__TOPIC from .env")
    expect("--topic visits --partitions 3" in renamed_script and "--topic visits.dead " in renamed_script,
           f"kafka-init: creates the topics named in .env ({renamed_script})")

    pixel = services.get("pixel-service", {})
    check_tracker_service("pixel-service", pixel, "/usr/local/bin/pixel-service")
    expect((4000, 8080) in published(pixel), "pixel-service: host port 4000 -> 8080")
    nofile = pixel.get("ulimits", {}).get("nofile")
    soft = nofile.get("soft") if isinstance(nofile, dict) else nofile
    expect(soft is not None and int(soft) >= 10064,
           f"pixel-service: open-files limit above the connection cap plus its reserve ({nofile})")

    worker = services.get("storage-worker", {})
    check_tracker_service("storage-worker", worker, "/usr/local/bin/storage-worker")
    expect(worker.get("environment", {}).get("TRACKER__FILEEVENTSTORE__FILE") == "/data/events.log",
           "storage-worker: writes /data/events.log")
    expect(any(kind == "bind" and Path(source) == compose_file.parent / "storage" and target == "/data"
               for kind, source, target in mounts(worker)), "storage-worker: ./storage bind-mounted at /data")

    ui = services.get("kafka-ui", {})
    expect((ui.get("image") or "").split(":")[0].endswith("kafbat/kafka-ui"), "kafka-ui: kafbat image")
    expect(ui.get("profiles") == ["ui"], "kafka-ui: only under the 'ui' profile")
    expect(default["services"].get("kafka-ui", {}).get("profiles") == ["ui"],
           "kafka-ui: keeps its profile without --profile")

    for error in errors:
        print(f"FAIL: {error}")
    if not errors:
        print(f"ok: {compose_file.name} validates and wires {len(services)} services as issue 5 asks")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
