"""Where every organisation and every post sits in the state arrays.

Organisations are laid out level by level: all local committees (region by
region), then all sectoral tables, then the regional bodies (one per region),
then the national actors. Posts (people) are laid out organisation by
organisation, staff posts first, then elected seats. Because every region has
the same composition, the slice of a level reshapes to ``(B, regions, per_region)``
and sums over organisations are ``np.add.reduceat`` over contiguous posts: no
per-person Python objects and nothing quadratic.

Example:
    >>> from concertsim.params import Structure
    >>> lay = Layout.from_structure(Structure(regions=2, local_committees=3))
    >>> lay.groups, lay.level_slice["regional"]
    (21, slice(16, 18, None))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import LEVELS, Structure

__all__ = ["Layout", "LEVEL_CODE"]

LEVEL_CODE = {name: i for i, name in enumerate(LEVELS)}
"""Level name -> integer code used in the arrays."""


@dataclass(frozen=True, eq=False)
class Layout:
    """Index arrays of one structure (shared by every run of a batch).

    Attributes:
        structure: the structure laid out.
        groups: number of organisations G.
        people: number of posts P.
        org_level: (G,) level code of each organisation.
        org_region: (G,) region of each organisation (national actors: -1).
        level_slice: level name -> slice of organisations.
        post_org: (P,) organisation of each post.
        post_level: (P,) level code of each post.
        post_region: (P,) region of each post (-1 for national).
        post_elected: (P,) True for elected seats.
        post_rank: (P,) index of a staff post within its organisation's staff
            (elected seats: -1); used to decide which posts funding covers.
        org_start: (G,) first post of each organisation (for ``np.add.reduceat``).
        org_posts: (G,) number of posts of each organisation.
        region_pool: (R, Q) the posts of each region (its local committees, sectoral
            tables and regional body), among whom networking makes ties.
        regional_posts: (R, Qr) the posts of each regional body.
        national_posts: (N,) the posts of the national actors (a contiguous block,
            the last one), whose people make ties with the regional bodies' (M10).
        is_local: (G,) True for local committees.
        is_sectoral: (G,) True for sectoral tables.
        is_member: (G,) True for the members of a region's concertation (local
            committees and sectoral tables).
        in_region: (G,) True for the organisations of a region (all but national actors).
        region_of_org: (G,) region of each organisation, as an index into ``(B, R)``
            arrays (national actors: 0; mask them with ``in_region``).
        post_is_local: (P,) True for the posts of local committees.
        post_is_regional: (P,) True for the posts of regional bodies.
        post_in_region: (P,) True for the posts of a region (all but national actors').
        region_of_post: (P,) region of each post, as an index into ``(B, R)`` arrays
            (national posts: 0; mask them with ``post_in_region``).
    """

    structure: Structure
    groups: int
    people: int
    org_level: np.ndarray
    org_region: np.ndarray
    level_slice: dict[str, slice]
    post_org: np.ndarray
    post_level: np.ndarray
    post_region: np.ndarray
    post_elected: np.ndarray
    post_rank: np.ndarray
    org_start: np.ndarray
    org_posts: np.ndarray
    region_pool: np.ndarray
    regional_posts: np.ndarray
    national_posts: np.ndarray
    is_local: np.ndarray
    is_sectoral: np.ndarray
    is_member: np.ndarray
    in_region: np.ndarray
    region_of_org: np.ndarray
    post_is_local: np.ndarray
    post_is_regional: np.ndarray
    post_in_region: np.ndarray
    region_of_post: np.ndarray

    @classmethod
    def from_structure(cls, s: Structure) -> Layout:
        """Lay out ``s``."""
        counts = {
            "local": s.regions * s.local_committees,
            "sectoral": s.regions * s.sectoral_tables,
            "regional": s.regions,
            "national": s.national_actors,
        }
        staff = {
            "local": (s.local_staff, s.local_elected),
            "sectoral": (s.sectoral_staff, 0),
            "regional": (s.regional_staff, s.regional_elected),
            "national": (s.national_staff, 0),
        }
        level_slice, start = {}, 0
        for name in LEVELS:
            level_slice[name] = slice(start, start + counts[name])
            start += counts[name]
        org_level = np.concatenate([np.full(counts[n], LEVEL_CODE[n]) for n in LEVELS])
        org_region = np.concatenate(
            [
                np.repeat(np.arange(s.regions), s.local_committees),
                np.repeat(np.arange(s.regions), s.sectoral_tables),
                np.arange(s.regions),
                np.full(s.national_actors, -1),
            ]
        ).astype(np.int64)
        n_staff = np.array([staff[LEVELS[lv]][0] for lv in org_level])
        n_elected = np.array([staff[LEVELS[lv]][1] for lv in org_level])
        org_posts = n_staff + n_elected
        post_org = np.repeat(np.arange(org_level.size), org_posts)
        org_start = np.concatenate([[0], np.cumsum(org_posts)[:-1]])
        within = np.arange(post_org.size) - org_start[post_org]
        post_elected = within >= n_staff[post_org]
        post_rank = np.where(post_elected, -1, within)
        post_region = org_region[post_org]
        region_pool = np.stack([np.flatnonzero(post_region == r) for r in range(s.regions)])
        post_level = org_level[post_org]
        reg = post_level == LEVEL_CODE["regional"]
        regional_posts = np.stack(
            [np.flatnonzero(reg & (post_region == r)) for r in range(s.regions)]
        )
        return cls(
            structure=s,
            groups=int(org_level.size),
            people=int(post_org.size),
            org_level=org_level,
            org_region=org_region,
            level_slice=level_slice,
            post_org=post_org,
            post_level=post_level,
            post_region=post_region,
            post_elected=post_elected,
            post_rank=post_rank,
            org_start=org_start,
            org_posts=org_posts,
            region_pool=region_pool,
            regional_posts=regional_posts,
            national_posts=np.flatnonzero(post_level == LEVEL_CODE["national"]),
            is_local=org_level == LEVEL_CODE["local"],
            is_sectoral=org_level == LEVEL_CODE["sectoral"],
            is_member=org_level <= LEVEL_CODE["sectoral"],
            in_region=org_region >= 0,
            region_of_org=np.maximum(org_region, 0),
            post_is_local=post_level == LEVEL_CODE["local"],
            post_is_regional=post_level == LEVEL_CODE["regional"],
            post_in_region=post_region >= 0,
            region_of_post=np.maximum(post_region, 0),
        )

    def per_org(self, x: np.ndarray, dtype: type | None = None) -> np.ndarray:
        """Sum a ``(B, P)`` per-post array over each organisation's posts -> ``(B, G)``,
        in ``dtype`` if given (e.g. counts of a bool array as floats, without a cast copy)."""
        return np.add.reduceat(x, self.org_start, axis=1, dtype=dtype)

    def level(self, x: np.ndarray, name: str) -> np.ndarray:
        """The organisations of level ``name`` in a ``(B, G)`` array.

        Local committees and sectoral tables come back as ``(B, regions, per_region)``,
        regional bodies as ``(B, regions)``, national actors as ``(B, N)``.
        """
        part = x[:, self.level_slice[name]]
        if name in ("local", "sectoral"):
            return part.reshape(x.shape[0], self.structure.regions, -1)
        return part

    def members_sum(self, x: np.ndarray, dtype: type | None = None) -> np.ndarray:
        """(B,R) sum of a (B,G) array over each region's local committees and sectoral tables
        (the local committees' sum, plus the sectoral tables'), in ``dtype`` if given."""
        b, r = x.shape[0], self.structure.regions
        local = x[:, self.level_slice["local"]].reshape(b, r, -1)
        total = np.add.reduce(local, axis=-1, dtype=dtype)
        if self.structure.sectoral_tables:
            sectoral = x[:, self.level_slice["sectoral"]].reshape(b, r, -1)
            total += np.add.reduce(sectoral, axis=-1, dtype=dtype)
        return total

    def members_mean(self, x: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
        """(B,R) mean of a (B,G) array over each region's members, optionally weighted.

        Regions whose weights are all zero get 0.
        """
        if weight is None:
            s = self.structure
            return self.members_sum(x) / (s.local_committees + s.sectoral_tables)
        total = self.members_sum(x * weight)
        count = self.members_sum(weight, np.float64)
        return np.divide(total, count, out=np.zeros_like(total), where=count > 0)

    def regional(self, x: np.ndarray) -> np.ndarray:
        """The posts of the regional bodies in a ``(B, P, ...)`` array, as a
        ``(B, R, posts, ...)`` view (the regional bodies' posts are contiguous)."""
        start, stop = self.regional_posts[0, 0], self.regional_posts[-1, -1] + 1
        return x[:, start:stop].reshape(x.shape[0], *self.regional_posts.shape, *x.shape[2:])

    def posts_mask(self, level: str) -> np.ndarray:
        """(P,) True for the posts of ``level`` (``"all"`` for every post)."""
        if level == "all":
            return np.ones(self.people, dtype=bool)
        return self.post_level == LEVEL_CODE[level]
