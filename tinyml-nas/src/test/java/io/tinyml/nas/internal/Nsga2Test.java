package io.tinyml.nas.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Nsga2Test {

    @Test
    void frontsMatchABruteForceDominanceCheck() {
        Random r = new Random(5);
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            pts.add(new double[] {r.nextInt(10), r.nextInt(10), r.nextInt(10)});
        }
        List<List<Integer>> fronts = Nsga2.fronts(pts);
        int[] rank = new int[pts.size()];
        int seen = 0;
        for (int f = 0; f < fronts.size(); f++) {
            for (int i : fronts.get(f)) {
                rank[i] = f;
                seen++;
            }
        }
        assertEquals(pts.size(), seen);
        for (int p = 0; p < pts.size(); p++) {
            // independent definition: rank 0 iff nobody dominates p; a dominator always has a lower rank
            boolean dominated = false;
            for (int q = 0; q < pts.size(); q++) {
                boolean qDominates = true;
                boolean strictly = false;
                for (int k = 0; k < 3; k++) {
                    qDominates &= pts.get(q)[k] <= pts.get(p)[k];
                    strictly |= pts.get(q)[k] < pts.get(p)[k];
                }
                if (qDominates && strictly) {
                    dominated = true;
                    assertTrue(rank[q] < rank[p]);
                }
            }
            assertEquals(!dominated, rank[p] == 0);
        }
    }

    @Test
    void crowdingKeepsBoundariesAndSelectionFillsThePopulation() {
        List<double[]> pts = List.of(new double[] {0, 4}, new double[] {1, 3}, new double[] {2, 2.9},
                new double[] {3, 1}, new double[] {4, 0}, new double[] {5, 5});
        double[] d = Nsga2.crowding(pts, List.of(0, 1, 2, 3, 4));
        assertEquals(Double.POSITIVE_INFINITY, d[0]);
        assertEquals(Double.POSITIVE_INFINITY, d[4]);
        // point 2 sits in the larger gap of objective 2 (3 -> 1) than point 1 (4 -> 2.9)
        assertTrue(d[2] > d[1], d[1] + " vs " + d[2]);
        List<Integer> sel = Nsga2.select(pts, 4);
        assertEquals(4, sel.size());
        assertTrue(sel.containsAll(List.of(0, 4)));
        assertFalse(sel.contains(5));
    }

    @Test
    void offspringAlwaysDiffersFromIdenticalParentsAndStaysInRange() {
        Random r = new Random(1);
        int[] card = {3, 1, 4, 2};
        int[] p = {2, 0, 3, 1};
        for (int i = 0; i < 200; i++) {
            int[] c = Nsga2.offspring(p, p, card, r);
            boolean diff = false;
            for (int k = 0; k < c.length; k++) {
                assertTrue(c[k] >= 0 && c[k] < card[k]);
                diff |= c[k] != p[k];
            }
            assertTrue(diff);
        }
    }
}
