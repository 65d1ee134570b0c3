"""The change feed under concurrent writers (PostgreSQL): a reader that builds its copy only
from the feed ends with exactly the database's rows, none skipped or applied out of order."""

from __future__ import annotations

import json
import random
import threading
import time

import pytest
from django.db import connections

from inventory.errors import RegistryValidationError
from inventory.history import feed, recording
from inventory.models import AvailableModel, RegisteredModel
from inventory.sdk import module_sdk
from inventory.workflows import transfer

pytestmark = pytest.mark.postgres

WRITERS = 8
SECONDS = 20


def writer(index: int, engine_id: int, stop: threading.Event, errors: list) -> None:
    rows = module_sdk.models.model_registry
    rng = random.Random(index)
    mine: list[int] = []
    step = 0
    try:
        while not stop.is_set():
            step += 1
            choice = rng.random()
            try:
                if choice < 0.35 or not mine:
                    created = rows.create({"name": f"w{index}-{step}", "engine_id": engine_id})
                    mine.append(created["id"])
                elif choice < 0.75:
                    # any writer's row: contended updates wait on each other's row locks
                    target = rng.choice(mine) if rng.random() < 0.5 else rng.randint(1, step * 8)
                    rows.update(target, {"version": f"{index}.{step}", "status": "active"})
                elif choice < 0.9:
                    rows.delete(mine.pop(rng.randrange(len(mine))))
                else:
                    names = [f"w{index}-cat-{rng.randrange(5)}" for _ in range(3)]
                    document = {
                        "catalog": [{"name": name, "version": str(step)} for name in set(names)]
                    }
                    transfer.import_inventory(json.dumps(document), "json", apply=True)
            except RegistryValidationError:
                pass  # a row another writer just deleted
    except BaseException as error:  # reported by the test
        errors.append(error)
    finally:
        connections.close_all()


def reader(stop: threading.Event, copy: dict, errors: list) -> None:
    cursor = 0
    try:
        while True:
            done = stop.is_set()  # read once more after the writers stopped
            page = feed.since(cursor, feed.MAX_FEED_LIMIT)
            for change in page["changes"]:
                key = (change["entity"], change["object_id"])
                if change["action"] == "delete":
                    copy.pop(key, None)
                else:
                    copy[key] = change["snapshot"]
            cursor = page["cursor"]
            if done and not page["has_more"]:
                return
            if not page["changes"]:
                time.sleep(0.01)
    except BaseException as error:
        errors.append(error)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_copy_built_from_the_feed_equals_the_database(engine):
    copy: dict = {}
    errors: list = []
    writers_done, reader_done = threading.Event(), threading.Event()
    threads = [
        threading.Thread(target=writer, args=(index, engine["id"], writers_done, errors))
        for index in range(WRITERS)
    ]
    follower = threading.Thread(target=reader, args=(reader_done, copy, errors))
    for thread in [*threads, follower]:
        thread.start()
    time.sleep(SECONDS)
    writers_done.set()
    for thread in threads:
        thread.join(60)
    reader_done.set()
    follower.join(60)
    assert not errors, errors

    expected = {
        (entity, row.pk): recording.mask(entity, recording.state(row))
        for entity, model in (
            ("model_registry", RegisteredModel),
            ("available_model_registry", AvailableModel),
        )
        for row in model.objects.all()
    }
    from_feed = {key: value for key, value in copy.items() if key[0] != "engine_registry"}
    assert RegisteredModel.objects.count() > WRITERS  # the writers did write
    assert from_feed.keys() == expected.keys()
    assert from_feed == expected


@pytest.mark.django_db(transaction=True)
def test_an_import_dry_run_does_not_wait_for_the_feed_lock(engine):
    from django.db import OperationalError, connection, transaction

    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with recording.atomic():  # a writer in the middle of its transaction
                held.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(10)
    document = json.dumps({"catalog": [{"name": "dry"}], "engines": [{"name": "ollama-test"}]})
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
        report = transfer.import_inventory(document, "json", apply=False)
        assert report["counts"]["catalog"]["created"] == 1
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            transfer.import_inventory(document, "json", apply=True)
    finally:
        release.set()
        holder.join(30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
