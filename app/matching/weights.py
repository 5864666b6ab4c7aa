"""Integer arc costs that make one min-cost max-flow solve a lexicographic objective.

Among all assignments with the largest possible number of pairs F (the solver's max flow
guarantees that first), the engine wants, in this order of priority:

    1. as many pairs inside the apprentice's own unit as possible      (X = pairs outside the unit, minimise)
    2. then as many inside the apprentice's district/industry union   (Y = pairs outside it, minimise; Y <= X)
    3. then the fewest broken preferences                              (P, minimise)
    4. then the smallest level gaps                                     (G = sum of |gap|, minimise)

Broken preferences of an apprentice who listed masters: 0 with the first choice, k-1 with the
k-th, BROKEN_OFF_LIST = 5 with a master not on the list (one more than the fifth choice, so any
listed master beats any unlisted one, and no better than that: an unlisted master is "every
choice missed" and nothing is worse), and 5 as well when the apprentice stays unmatched (all
choices missed). Apprentices who listed nobody have nothing to break: 0.

The arcs carry, for each pair: OUT_UNIT for a pair outside the unit, OUT_DISTRICT more for a pair
outside the district too, PREFERENCE x (k-1 for the k-th choice, 5 otherwise, and 5 for every pair
of an apprentice without a list) and GAP x |gap|. Counting 5 for the matched apprentices without a
list and nothing for the unmatched ones changes the cost of an assignment by the same constant
5 * (F - Pn) (Pn = apprentices with a list) compared with the definition above, for every
assignment with F pairs, so minimising it minimises P. (It keeps every cost non-negative and means
an apprentice's having a list never makes them the one left out.)

So every max-flow assignment costs  C = OUT_UNIT*X + OUT_DISTRICT*Y + PREFERENCE*P' + GAP*G, with
0 <= X, Y <= F, 0 <= P' <= 5F, 0 <= G <= F*max_gap. The weights are chosen so that each one is
larger than the largest possible total of everything below it:

    GAP          = 1                           G*GAP               <= F*max_gap           =: g
    PREFERENCE   = g + 1                       P'*PREFERENCE       <= 5F*PREFERENCE       =: p
    OUT_DISTRICT = p + g + 1                   Y*OUT_DISTRICT      <= F*OUT_DISTRICT      =: d
    OUT_UNIT     = d + p + g + 1

Proof that minimising C is the lexicographic order: take two assignments a, b with F pairs and
X_a < X_b. Then C_b - C_a >= OUT_UNIT*(X_b - X_a) - (OUT_DISTRICT*Y_a + PREFERENCE*P'_a + GAP*G_a)
>= OUT_UNIT - (d + p + g) = 1 > 0, whatever the lower terms are; so a minimum-cost assignment has
the smallest X. With X equal, the same argument one level down gives the smallest Y
(OUT_DISTRICT > p + g), then the smallest P' (PREFERENCE > g), then the smallest G.

Overflow: the largest arc cost is about OUT_UNIT ~ 20 F^3 max_gap, and OR-tools' cost scaling
multiplies arc costs by the number of nodes, all in int64. `fits` checks the products in
Python integers (exact) against 2^62 before anything reaches the solver. When a very large trade
(about 20,000 pairs in one trade with a gap range of 4) would not fit, the level-gap tie-break (the last
criterion) is dropped for that trade (GAP = 0, max_gap = 0): the weights then grow like 5 F^2 and fit
for any realistic size; if even that does not fit, the engine refuses the input.
"""

from __future__ import annotations

from dataclasses import dataclass

BROKEN_OFF_LIST = 5
LIMIT = 2**62


@dataclass(frozen=True)
class Weights:
    gap: int
    preference: int
    out_district: int
    out_unit: int
    max_gap: int

    @classmethod
    def for_trade(cls, pairs: int, max_gap: int, use_gap: bool = True) -> "Weights":
        """Weights for a trade with at most `pairs` pairs and |gap| <= `max_gap` on any arc."""
        if not use_gap:
            max_gap = 0
        gap = 1 if use_gap else 0
        g = pairs * max_gap * gap
        preference = g + 1
        p = BROKEN_OFF_LIST * pairs * preference
        out_district = p + g + 1
        d = pairs * out_district
        out_unit = d + p + g + 1
        return cls(gap, preference, out_district, out_unit, max_gap)

    @property
    def max_arc(self) -> int:
        return self.out_unit + self.out_district + BROKEN_OFF_LIST * self.preference + self.max_gap * self.gap

    def fits(self, pairs: int, nodes: int) -> bool:
        """Whether the solver's scaled costs and the total cost stay well inside int64."""
        return self.max_arc * (nodes + 3) < LIMIT and self.max_arc * max(pairs, 1) < LIMIT

    def arc_cost(self, scope_rank: int, broken: int, gap: int) -> int:
        """Cost of pairing through an arc: scope_rank 0 unit, 1 district, 2 system."""
        cost = broken * self.preference + abs(gap) * self.gap
        if scope_rank >= 1:
            cost += self.out_unit
        if scope_rank >= 2:
            cost += self.out_district
        return cost
