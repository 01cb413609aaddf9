"""The charts and the structure picture: what they draw follows the twin."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from concertsim.app.charts import TwinCharts
from concertsim.app.structure import StructurePicture, positions, tie_counts
from concertsim.app.twin import Twin
from concertsim.submodels.networking import ties_held


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_the_charts_change_with_the_months_and_mark_each_event_once():
    twin = Twin(seed=3)
    charts = TwinCharts(twin.horizon, "fr")
    first = _pixels(charts.png(twin))
    twin.run(10)
    assert not np.array_equal(first, _pixels(charts.png(twin)))
    for kind in ("election", "funding_cut"):
        twin.shock(kind)
        twin.run(1)
    twin.run(20)
    twin.shock("key_departure", level="regional")
    charts.update(twin)
    charts.update(twin)  # twice: nothing marked twice
    labels = [(month, names) for month, names, _ in charts._labels]
    assert labels == [
        (10, ["élections municipales", "coupe de financement"]),
        (32, ["départ d’une personne clé (régional)"]),
    ]
    assert charts._labels[0][2].get_text() == "élections municip… +1"  # fits the panel
    shocked_line = charts._lines[0][1]
    assert np.array_equal(shocked_line.get_ydata(), twin.stability()[1])


def test_the_structure_shows_every_organisation_and_its_ties():
    twin = Twin(seed=5)
    twin.run(24)
    lay = twin.shocked.engine.layout
    xy, shown = positions(lay)
    assert sorted(shown) == list(range(lay.groups))  # one region: everyone is drawn
    assert sorted(set(xy[:, 1])) == [0.0, 1.0, 2.0, 3.0]  # four levels, national on top
    counts = tie_counts(twin.shocked)
    assert counts.sum() == ties_held(twin.shocked.engine.state)[0].sum()
    picture = StructurePicture(twin, "en")
    before = _pixels(picture.png(twin))
    twin.shock("turnover_wave", level="local", share=1.0)
    after = _pixels(picture.png(twin))
    half = after.shape[1] // 2
    assert np.array_equal(before[:, :half], after[:, :half])  # the reference is unchanged
    assert not np.array_equal(before[:, half:], after[:, half:])  # the twin lost its staff
