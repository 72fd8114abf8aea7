package io.tinyml.nas.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The sorting and variation steps of NSGA-II (Deb, Pratap, Agarwal, Meyarivan, "A fast and elitist
 * multiobjective genetic algorithm: NSGA-II", IEEE TEC 6(2), 2002): fast non-dominated sorting,
 * crowding distance, environmental selection of the next population, binary tournament on (rank,
 * crowding), uniform crossover and per-gene resampling mutation. Every objective is minimised. All
 * ties are broken by index, so results depend only on the inputs and the random source.
 */
public final class Nsga2 {
    private Nsga2() {
    }

    /** True if {@code a} is no worse than {@code b} in every objective and better in one. */
    public static boolean dominates(double[] a, double[] b) {
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > b[i]) {
                return false;
            }
            if (a[i] < b[i]) {
                better = true;
            }
        }
        return better;
    }

    /**
     * Fast non-dominated sorting.
     *
     * @param obj one objective vector per point
     * @return the fronts, best first; each front lists point indices in increasing order
     */
    public static List<List<Integer>> fronts(List<double[]> obj) {
        int n = obj.size();
        List<List<Integer>> dominated = new ArrayList<>();
        int[] count = new int[n];
        List<List<Integer>> fronts = new ArrayList<>();
        List<Integer> first = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            List<Integer> s = new ArrayList<>();
            for (int q = 0; q < n; q++) {
                if (dominates(obj.get(p), obj.get(q))) {
                    s.add(q);
                } else if (dominates(obj.get(q), obj.get(p))) {
                    count[p]++;
                }
            }
            dominated.add(s);
            if (count[p] == 0) {
                first.add(p);
            }
        }
        List<Integer> cur = first;
        while (!cur.isEmpty()) {
            fronts.add(cur);
            List<Integer> next = new ArrayList<>();
            for (int p : cur) {
                for (int q : dominated.get(p)) {
                    if (--count[q] == 0) {
                        next.add(q);
                    }
                }
            }
            next.sort(null);
            cur = next;
        }
        return fronts;
    }

    /**
     * Crowding distance of the points of one front (boundary points get +infinity).
     *
     * @param obj all objective vectors
     * @param front indices of the front's points
     * @return one distance per front member, in the front's order
     */
    public static double[] crowding(List<double[]> obj, List<Integer> front) {
        int n = front.size();
        double[] d = new double[n];
        if (n == 0) {
            return d;
        }
        int m = obj.get(front.get(0)).length;
        Integer[] order = new Integer[n];
        for (int k = 0; k < m; k++) {
            final int kk = k;
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> obj.get(front.get(i))[kk])
                    .thenComparingInt(i -> front.get(i)));
            double lo = obj.get(front.get(order[0]))[k];
            double hi = obj.get(front.get(order[n - 1]))[k];
            d[order[0]] = Double.POSITIVE_INFINITY;
            d[order[n - 1]] = Double.POSITIVE_INFINITY;
            if (hi == lo) {
                continue;
            }
            for (int i = 1; i < n - 1; i++) {
                d[order[i]] += (obj.get(front.get(order[i + 1]))[k] - obj.get(front.get(order[i - 1]))[k]) / (hi - lo);
            }
        }
        return d;
    }

    /**
     * Rank (front number) and crowding distance of every point.
     *
     * @param obj the objective vectors
     * @return {@code [rank[], crowding[]]} as doubles
     */
    public static double[][] rankAndCrowding(List<double[]> obj) {
        double[] rank = new double[obj.size()];
        double[] crowd = new double[obj.size()];
        List<List<Integer>> fronts = fronts(obj);
        for (int f = 0; f < fronts.size(); f++) {
            double[] c = crowding(obj, fronts.get(f));
            for (int i = 0; i < c.length; i++) {
                rank[fronts.get(f).get(i)] = f;
                crowd[fronts.get(f).get(i)] = c[i];
            }
        }
        return new double[][] {rank, crowd};
    }

    /**
     * Environmental selection: whole fronts while they fit, then the most crowding-distant members of
     * the first front that does not.
     *
     * @param obj objective vectors of parents and offspring
     * @param size the population size to keep
     * @return indices of the selected points, in selection order
     */
    public static List<Integer> select(List<double[]> obj, int size) {
        List<Integer> out = new ArrayList<>();
        for (List<Integer> f : fronts(obj)) {
            if (out.size() + f.size() <= size) {
                out.addAll(f);
                continue;
            }
            double[] c = crowding(obj, f);
            Integer[] order = new Integer[f.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -c[i]).thenComparingInt(f::get));
            for (int i = 0; out.size() < size; i++) {
                out.add(f.get(order[i]));
            }
            break;
        }
        return out;
    }

    /**
     * Binary tournament: the lower rank wins, then the larger crowding distance, then the lower index.
     *
     * @param rc {@link #rankAndCrowding(List)} of the population
     * @param rnd the random source
     * @return the winner's index
     */
    public static int tournament(double[][] rc, Random rnd) {
        int n = rc[0].length;
        int a = rnd.nextInt(n);
        int b = rnd.nextInt(n);
        if (rc[0][a] != rc[0][b]) {
            return rc[0][a] < rc[0][b] ? a : b;
        }
        if (rc[1][a] != rc[1][b]) {
            return rc[1][a] > rc[1][b] ? a : b;
        }
        return Math.min(a, b);
    }

    /**
     * Uniform crossover followed by mutation that resamples each gene with probability 1/length (at
     * least one gene changes when any gene can).
     *
     * @param a the first parent's genes
     * @param b the second parent's genes
     * @param card how many values each gene can take
     * @param rnd the random source
     * @return the child's genes
     */
    public static int[] offspring(int[] a, int[] b, int[] card, Random rnd) {
        int[] c = new int[a.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = rnd.nextBoolean() ? a[i] : b[i];
        }
        boolean changed = false;
        for (int i = 0; i < c.length; i++) {
            if (card[i] > 1 && rnd.nextInt(c.length) == 0) {
                c[i] = other(c[i], card[i], rnd);
                changed = true;
            }
        }
        if (!changed) {
            List<Integer> free = new ArrayList<>();
            for (int i = 0; i < card.length; i++) {
                if (card[i] > 1) {
                    free.add(i);
                }
            }
            if (!free.isEmpty()) {
                int i = free.get(rnd.nextInt(free.size()));
                c[i] = other(c[i], card[i], rnd);
            }
        }
        return c;
    }

    private static int other(int v, int card, Random rnd) {
        int r = rnd.nextInt(card - 1);
        return r >= v ? r + 1 : r;
    }
}
