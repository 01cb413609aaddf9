"""M6, M8, M11, M12, M15: role mix, capacity, impose or negotiate."""

import numpy as np

from concertsim.params import ROLES, Structure
from concertsim.submodels.roles import STRUCTURING

from .sim import final, simulate

ALL_IMPOSED = {f"role_mode.{r}": 1.0 for r in ROLES}


def _mix(**shares):
    mix = {f"role_mix.{r}": 0.0 for r in ROLES}
    mix.update({f"role_mix.{r}": v for r, v in shares.items()})
    return mix  # operations: the remainder


def _outputs(engine):
    return engine.state.role_output.mean(axis=(0, 1))


def test_more_regional_staff_gives_more_role_output():
    few = simulate(structure=Structure(regional_staff=2), months=12)
    many = simulate(structure=Structure(regional_staff=10), months=12)
    assert _outputs(many).sum() > _outputs(few).sum()


def test_spreading_a_small_staff_thin_yields_little():
    small = Structure(regional_staff=1, regional_elected=0)
    thin = simulate(_mix(**{r: 0.12 for r in ROLES}), structure=small, months=6)
    focused = simulate(_mix(capacity_building=0.6), structure=small, months=6)
    assert _outputs(focused).sum() > 2 * _outputs(thin).sum()


def test_imposing_gives_lower_local_legitimacy_than_negotiating():
    negotiated = simulate()
    imposed = simulate(ALL_IMPOSED)
    assert final(imposed, "legitimacy", "local") < final(negotiated, "legitimacy", "local") - 0.1
    assert final(imposed, "legitimacy", "local") < 0.5 - 0.1  # below where it started


def test_imposing_acts_sooner():
    negotiated = simulate(months=2)
    imposed = simulate(ALL_IMPOSED, months=2)
    assert _outputs(imposed).sum() > _outputs(negotiated).sum()


def test_sectoral_tables_resent_imposition_more_than_local_committees():
    imposed = simulate(ALL_IMPOSED, months=24)
    assert final(imposed, "legitimacy", "sectoral") < final(imposed, "legitimacy", "local")


def test_legitimacy_gates_the_effect_of_roles():
    def assent(value):
        def setup(engine):
            engine.state.assent[:, engine.layout.org_level <= 1] = value
            engine.params.legitimacy.drift[...] = 0.0

        return setup

    low = simulate(months=3, setup=assent(0.05))
    high = simulate(months=3, setup=assent(0.95))
    assert _outputs(high).sum() > _outputs(low).sum()


def test_capacity_building_raises_local_capacity():
    none = simulate(_mix(capacity_building=0.0, networking=0.3))
    much = simulate(_mix(capacity_building=0.4, networking=0.3))
    assert final(much, "capacity", "local") > final(none, "capacity", "local") + 0.05


def test_issue_positioning_raises_funding():
    low = simulate(
        {
            "funding.credibility_weight": 0.2,
            "funding.positioning_weight": 0.6,
            **_mix(networking=0.3, capacity_building=0.3),
        }
    )
    high = simulate(
        {
            "funding.credibility_weight": 0.2,
            "funding.positioning_weight": 0.6,
            **_mix(networking=0.3, capacity_building=0.1, issue_positioning=0.2),
        }
    )
    assert final(high, "funding", "regional") > final(low, "funding", "regional")


def test_structuring_needs_ties():
    with_ties = simulate(_mix(networking=0.3, structuring=0.3), months=36)
    without = simulate(_mix(networking=0.0, structuring=0.3), months=36)
    assert with_ties.state.structuring.mean() > without.state.structuring.mean()
    assert np.all(without.state.role_output[..., STRUCTURING] == 0.0)


def test_imposed_roles_act_at_once_negotiated_ones_ramp_up():
    """M8: a head start, not a permanent multiplier."""
    from concertsim.submodels.roles import ramp

    e = simulate({"role_mode.networking": 1.0}, months=1, runs=2)
    first = ramp(e.state, e.params)[0, 0]
    assert first[0] == 1.0 and first[1] < 0.25  # month 1: imposed full, negotiated ramping
    e.state.month = 24
    assert np.all(ramp(e.state, e.params) == 1.0)  # a year later both act fully


def test_fear_of_advantage_lowers_sectoral_legitimacy_when_negotiating():
    """M7: fear deepens silos in every mode (the default is negotiate)."""
    calm = simulate({"engagement.fear_of_advantage": 0.2}, months=36)
    fearful = simulate({"engagement.fear_of_advantage": 0.8}, months=36)
    assert final(fearful, "legitimacy", "sectoral") < final(calm, "legitimacy", "sectoral")


def test_more_staff_makes_a_five_role_spread_pay_more_against_focus():
    """M6: with the Hill function, the gain of spreading over five roles rather than
    focusing on three is larger with a bigger staff."""
    focus = _mix(networking=0.25, issue_positioning=0.25, structuring=0.15)
    spread = _mix(
        networking=0.15,
        capacity_building=0.15,
        issue_positioning=0.15,
        structuring=0.1,
        alignment=0.1,
    )

    def gain(staff):
        st = Structure(regional_staff=staff)
        return (
            _outputs(simulate(spread, structure=st, months=12)).sum()
            - _outputs(simulate(focus, structure=st, months=12)).sum()
        )

    assert gain(8) > gain(3)
