package io.tinyml.core.ir;

import java.util.List;

/** Shape and type rules of {@link Op.Pool}; see {@link OpChecks}. */
final class PoolChecks {
    private PoolChecks() {
    }

    static void check(Node node, Op.Pool p, List<Tensor> t, String where) {
        int outs = node.outputs().size();
        if (outs == 2 && !p.max()) {
            throw OpChecks.fail(where, "one output for average pooling", "2");
        }
        OpChecks.arity(node, 1, 1, outs == 2 ? 2 : 1, where);
        int k = p.filter().size();
        for (int a = 0; a < k; a++) {
            OpChecks.positive(where, p.filter().get(a), p.strides().get(a), p.dilations().get(a));
            if (p.before().get(a) < 0 || p.after().get(a) < 0) {
                throw OpChecks.fail(where, "non-negative paddings", p.before() + " / " + p.after());
            }
        }
        Tensor x = OpChecks.in(node, 0, t, where);
        Tensor y = OpChecks.out(node, 0, t);
        OpChecks.sameType(x, y, where);
        Shape xs = x.shape();
        if (xs.rank() != k + 2) {
            throw OpChecks.fail(where, "an input of rank " + (k + 2) + " for " + k + " spatial axes", xs.toString());
        }
        Shape ys = y.shape();
        if (ys.rank() != k + 2 || ys.dim(0) != xs.dim(0) || ys.dim(k + 1) != xs.dim(k + 1)) {
            throw OpChecks.fail(where, "an output [N, O1..O" + k + ", C] for input " + xs, ys.toString());
        }
        for (int a = 0; a < k; a++) {
            long span = (long) xs.dim(a + 1) + p.before().get(a) + p.after().get(a)
                    - ((long) (p.filter().get(a) - 1) * p.dilations().get(a) + 1);
            if (span < 0) {
                throw OpChecks.fail(where, "a window within the padded input on spatial axis " + a, "input " + xs
                        + ", filter " + p.filter() + ", dilations " + p.dilations());
            }
            int s = p.strides().get(a);
            long floor = span / s + 1;
            long ceil = (span + s - 1) / s + 1;
            int o = ys.dim(a + 1);
            if (o < floor || o > ceil) {
                throw OpChecks.fail(where, "output size " + floor + (ceil == floor ? "" : " or " + ceil)
                        + " on spatial axis " + a, "" + o);
            }
        }
        if (outs == 2) {
            Tensor idx = OpChecks.out(node, 1, t);
            if (idx.type() != DataType.INT64 || !idx.shape().equals(ys)) {
                throw OpChecks.fail(where, "INT64 indices of shape " + ys, idx.type() + " " + idx.shape());
            }
        }
    }
}
