package io.tinyml.cli;

import io.tinyml.core.estimate.CostModel;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code tinyml inspect MODEL [--json]}: operators, tensors, parameters and MACs of a model. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Shows a model's inputs, outputs, operators, tensors, parameter count and MACs.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "the model file")
    Path model;

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Model m = ModelIO.read(model);
        Graph g = m.graph();
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Integer> ops = new TreeMap<>();
        long macs = 0;
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.node(i);
            ops.merge(n.op().kind().name(), 1, Integer::sum);
            long c = CostModel.macs(g, n);
            macs += c;
            Map<String, Object> nm = new LinkedHashMap<>();
            nm.put("index", i);
            nm.put("name", n.name());
            nm.put("op", n.op().kind().name());
            nm.put("attributes", n.op().toString());
            nm.put("inputs", n.inputs().stream().map(t -> t == Node.ABSENT ? null : g.tensor(t).name()).toList());
            nm.put("outputs", n.outputs().stream().map(t -> g.tensor(t).name()).toList());
            nm.put("macs", c);
            nodes.add(nm);
        }
        long activationBytes = g.tensors().stream().filter(t -> !t.isConstant()).mapToLong(Tensor::byteSize).sum();
        long constantBytes = g.tensors().stream().filter(Tensor::isConstant).mapToLong(Tensor::byteSize).sum();
        if (json) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("model", model.toString());
            root.put("sha256", m.provenance().sourceSha256());
            root.put("reader", m.provenance().reader());
            root.put("inputs", g.inputs().stream().map(i -> TensorInfo.json(g.tensor(i))).toList());
            root.put("outputs", g.outputs().stream().map(i -> TensorInfo.json(g.tensor(i))).toList());
            root.put("ops", ops);
            root.put("nodeCount", g.nodes().size());
            root.put("tensorCount", g.tensors().size());
            root.put("parameters", g.parameterCount());
            root.put("constantBytes", constantBytes);
            root.put("activationBytes", activationBytes);
            root.put("macs", macs);
            root.put("metadata", m.metadata());
            root.put("nodes", nodes);
            root.put("tensors", g.tensors().stream().map(TensorInfo::json).toList());
            out.println(Json.write(root));
            return 0;
        }
        out.println("model:       " + model);
        out.println("sha256:      " + m.provenance().sourceSha256());
        for (int i : g.inputs()) {
            out.println("input:       " + TensorInfo.text(g.tensor(i)));
        }
        for (int i : g.outputs()) {
            out.println("output:      " + TensorInfo.text(g.tensor(i)));
        }
        out.printf("nodes:       %d%n", g.nodes().size());
        out.printf("tensors:     %d (%,d constant bytes, %,d activation bytes)%n", g.tensors().size(), constantBytes,
                activationBytes);
        out.printf("parameters:  %,d%n", g.parameterCount());
        out.printf("MACs:        %,d%n", macs);
        out.println("operators:   " + ops);
        out.println();
        out.printf("%4s  %-20s %-30s %-18s %14s%n", "#", "op", "output", "shape", "MACs");
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.node(i);
            Tensor t = g.tensor(n.output(0));
            out.printf("%4d  %-20s %-30s %-18s %,14d%n", i, n.op().kind(), abbreviate(t.name(), 30), t.shape(),
                    CostModel.macs(g, n));
        }
        return 0;
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : "…" + s.substring(s.length() - max + 1);
    }
}
