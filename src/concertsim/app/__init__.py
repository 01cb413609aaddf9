"""The workshop app: a trainer's browser page on the shocked twin (``concertsim app``).

Small modules, the pure logic testable without a browser:

* :mod:`~concertsim.app.twin`: two copies of a region, same seed; shocks and changes.
* :mod:`~concertsim.app.account`: what happened, in sentences, French or English.
* :mod:`~concertsim.app.export`: the session as a scenario file, the series as CSV.
* :mod:`~concertsim.app.charts`, :mod:`~concertsim.app.structure`: the pictures.
* :mod:`~concertsim.app.session`: one trainer's session (what the page calls).
* :mod:`~concertsim.app.controls`, :mod:`~concertsim.app.page`: the solara page.
* :mod:`~concertsim.app.command`: ``concertsim app``.

The page's modules import solara (the ``app`` extra); the others do not.
"""

__all__: list[str] = []
