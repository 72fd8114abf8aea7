package io.tinyml.core.pass;

import io.tinyml.core.ir.AppliedPass;
import io.tinyml.core.ir.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An ordered chain of passes with instruments. Immutable and thread-safe; {@code with*} methods
 * return new pipelines.
 *
 * <pre>{@code
 * Model out = PassPipeline.standard()
 *         .withInstrument(new PassInstrument() {
 *             public void after(PassInfo p, Model before, Model after) { log(p.name()); }
 *         })
 *         .run(model);
 * }</pre>
 */
public final class PassPipeline {
    private static final Logger log = LoggerFactory.getLogger(PassPipeline.class);

    private final List<Pass> passes;
    private final List<PassInstrument> instruments;
    private final PassContext context;

    private PassPipeline(List<Pass> passes, List<PassInstrument> instruments, PassContext context) {
        this.passes = List.copyOf(passes);
        this.instruments = List.copyOf(instruments);
        this.context = Objects.requireNonNull(context, "context");
    }

    /**
     * A pipeline of the given passes, default context, no instruments.
     *
     * @param passes the passes in order
     * @return the pipeline
     */
    public static PassPipeline of(Pass... passes) {
        return new PassPipeline(List.of(passes), List.of(), PassContext.defaults());
    }

    /**
     * The standard clean-up pipeline readers' output goes through before quantization or code
     * generation: remove identities, fold constants, fold batch normalization, fuse activations.
     *
     * @return the pipeline
     */
    public static PassPipeline standard() {
        return of(new RemoveIdentity(), new FoldConstants(), new FoldBatchNorm(), new FuseActivation());
    }

    /**
     * Returns a pipeline with one more pass at the end.
     *
     * @param pass the pass
     * @return the new pipeline
     */
    public PassPipeline with(Pass pass) {
        List<Pass> p = new ArrayList<>(passes);
        p.add(pass);
        return new PassPipeline(p, instruments, context);
    }

    /**
     * Returns a pipeline with one more instrument.
     *
     * @param instrument the instrument
     * @return the new pipeline
     */
    public PassPipeline withInstrument(PassInstrument instrument) {
        List<PassInstrument> i = new ArrayList<>(instruments);
        i.add(instrument);
        return new PassPipeline(passes, i, context);
    }

    /**
     * Returns a pipeline with another context.
     *
     * @param newContext the context
     * @return the new pipeline
     */
    public PassPipeline withContext(PassContext newContext) {
        return new PassPipeline(passes, instruments, newContext);
    }

    /** @return the passes in order */
    public List<Pass> passes() {
        return passes;
    }

    /**
     * Runs the passes in order on a model.
     *
     * @param model the input
     * @return the output model, whose provenance lists the passes that changed it
     * @throws PassException if a pass fails
     * @throws IllegalStateException if a pass's requirement has not run before it
     */
    public Model run(Model model) throws PassException {
        Set<String> done = new HashSet<>();
        model.provenance().passes().forEach(p -> done.add(p.name()));
        Model current = model;
        for (Pass pass : passes) {
            PassInfo info = pass.info();
            if (info.optLevel() > context.optLevel()) {
                log.debug("skipping pass {} (opt level {} > {})", info.name(), info.optLevel(), context.optLevel());
                continue;
            }
            for (String r : info.requires()) {
                if (!done.contains(r)) {
                    throw new IllegalStateException("expected pass '" + r + "' before '" + info.name()
                            + "', found it neither in the pipeline before it nor in the model's provenance");
                }
            }
            for (PassInstrument i : instruments) {
                i.before(info, current);
            }
            Model next = pass.apply(current, context);
            for (PassInstrument i : instruments) {
                i.after(info, current, next);
            }
            log.debug("pass {}: {} -> {} nodes", info.name(), current.graph().nodes().size(),
                    next.graph().nodes().size());
            done.add(info.name());
            current = next;
        }
        return current;
    }

    /**
     * Records a pass in provenance with its parameters; helper for pass implementations.
     *
     * @param info the pass
     * @return the provenance entry
     */
    static AppliedPass applied(PassInfo info) {
        return new AppliedPass(info.name(), java.util.Map.of("optLevel", Integer.toString(info.optLevel())));
    }
}
