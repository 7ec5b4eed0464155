"""Issue 17 — the crisis's stock ledger: stock = sum of movements, never negative (race-safe), one
email when an item crosses its low-stock threshold, a to-do line on the coordinator's dashboard."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.crisis.models import SupplyItem, SupplyMovement
from maillage.crisis.response_centres import ResponseError
from maillage.crisis.response_supplies import MovementDraft, add_item, move, stock_of
from maillage.www.dashboard import todo
from tests.crisis.conftest import build_response

TODAY = timezone.localdate


def received(n):
    return MovementDraft("received", n, TODAY())


def given(n, to="EHPAD Les Tilleuls"):
    return MovementDraft("distributed", n, TODAY(), recipient=to)


@pytest.fixture
def masks(response):
    return add_item(response["crisis"], response["coordinator"], name="Masques FFP2", threshold=100)


def test_stock_is_the_sum_of_movements_and_cannot_go_negative(response, masks):
    coordinator = response["coordinator"]
    move(masks, received(500), coordinator)
    move(masks, given(120), coordinator)
    move(masks, MovementDraft("adjustment", -5, TODAY(), note="inventaire"), coordinator)
    assert stock_of(masks) == 375
    with pytest.raises(ResponseError, match="Stock insuffisant : il reste 375 unités de « Masques FFP2 »"):
        move(masks, given(376), coordinator)
    with pytest.raises(ResponseError, match="Stock insuffisant"):
        move(masks, MovementDraft("adjustment", -400, TODAY()), coordinator)
    assert SupplyMovement.objects.count() == 3 and stock_of(masks) == 375
    assert AuditEntry.objects.filter(action="crisis.supply.moved").count() == 3


def test_bad_movements_are_refused_in_french(response, masks):
    coordinator = response["coordinator"]
    for draft, message in [
        (MovementDraft("received", 0, TODAY()), "au moins une unité"),
        (MovementDraft("received", -3, TODAY()), "au moins une unité"),
        (MovementDraft("distributed", 1, TODAY()), "à qui"),
        (MovementDraft("received", 10, TODAY() + timedelta(days=1)), "à venir"),
        (MovementDraft("received", 10**9, TODAY()), "trop grande"),
    ]:
        with pytest.raises(ResponseError, match=message):
            move(masks, draft, coordinator)
    with pytest.raises(ResponseError, match="déjà dans le stock"):
        add_item(response["crisis"], coordinator, name="masques ffp2", threshold=0)
    assert not SupplyMovement.objects.exists()


def test_the_low_stock_alert_is_sent_once_per_crossing(response, masks):
    coordinator = response["coordinator"]
    move(masks, received(300), coordinator)
    move(masks, given(250), coordinator)  # 50 < 100: the alert
    move(masks, given(10), coordinator)  # still low: no second email
    run_pending()
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "Masques FFP2" in mail.outbox[0].subject and "il en reste 50" in mail.outbox[0].body
    move(masks, received(200), coordinator)  # 240: back over
    assert SupplyItem.objects.get(pk=masks.pk).low_since is None
    move(masks, given(200), coordinator)  # 40: a new crossing, a new email
    run_pending()
    assert len(mail.outbox) == 2


def test_the_coordinator_dashboard_lists_low_items(response, masks):
    move(masks, received(30), response["coordinator"])
    lines = todo.coordinator(response["cmv"])
    [line] = [line for line in lines if "stock de crise" in line.text]
    assert line.text == "1 article du stock de crise sous le seuil d'alerte"
    assert line.names == ["Masques FFP2 : il en reste 30 (seuil : 100)"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_distributions_never_take_the_stock_below_zero(idf):
    if connection.vendor != "postgresql":
        pytest.skip("La concurrence réelle se vérifie sur PostgreSQL (SQLite n'a qu'un écrivain à la fois).")
    world = build_response(idf)
    item = add_item(world["crisis"], world["coordinator"], name="Autotests", threshold=0)
    move(item, received(50), world["coordinator"])
    barrier, outcomes = threading.Barrier(6), []

    def attempt(_n):
        try:
            barrier.wait()
            move(SupplyItem.objects.get(pk=item.pk), given(20), world["coordinator"])
            outcomes.append("sorti")
        except ResponseError:
            outcomes.append("refusé")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refusé"] * 4 + ["sorti"] * 2
    assert stock_of(item) == 10
