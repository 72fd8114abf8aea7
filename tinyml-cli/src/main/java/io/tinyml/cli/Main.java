package io.tinyml.cli;

import io.tinyml.core.ModelException;
import io.tinyml.core.ProgressListener;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

/**
 * Entry point of the {@code tinyml} command line. Exit statuses: 0 success, {@link #EXIT_INTERNAL} (1),
 * {@link #EXIT_BAD_INPUT} (2), {@link #EXIT_GATE} (3).
 *
 * <pre>
 * tinyml inspect model.tflite --json
 * tinyml run model.tflite --input in.bin --output out.bin --dump layers/
 * </pre>
 */
@Command(name = "tinyml", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Takes a trained neural network to a microcontroller.",
        subcommands = {InspectCommand.class, RunCommand.class, ConvertCommand.class, EvalCommand.class,
                VerifyCommand.class, TargetsCommand.class, EstimateCommand.class, QuantizeCommand.class,
                CodegenCommand.class, TrainCommand.class, PruneCommand.class, FitCommand.class, SplitCommand.class,
                DeviceCommand.class})
public final class Main implements Runnable {
    /** Exit status for bad usage or bad input. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit status for an internal failure. */
    public static final int EXIT_INTERNAL = 1;
    /**
     * Exit status of a gate that failed: the command ran and reported, but its result misses what was
     * required (estimate: the model does not fit the target or misses the latency budget; verify: the
     * models disagree beyond the tolerance). A CI step can fail on it.
     */
    public static final int EXIT_GATE = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final boolean stderrTerminal;

    /** Creates the root command, for a standard error that is not a terminal. */
    public Main() {
        this(false);
    }

    private Main(boolean stderrTerminal) {
        this.stderrTerminal = stderrTerminal;
    }

    /** A progress renderer for a subcommand: redrawn in place on a terminal, one line per tenth elsewhere. */
    ProgressListener progress(PrintWriter err, String unit) {
        return Progress.on(err, stderrTerminal, unit);
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                Terminal.isStderrTerminal()));
    }

    /**
     * Runs the command line without exiting (for tests and embedding).
     *
     * @param args the arguments
     * @param out standard output
     * @param err standard error
     * @return the exit status
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, false);
    }

    private static int run(String[] args, PrintWriter out, PrintWriter err, boolean stderrTerminal) {
        // TensorFlow's native code logs INFO lines on stderr unless told otherwise before it loads
        Terminal.setEnvIfAbsent("TF_CPP_MIN_LOG_LEVEL", "1");
        // stdout carries results (--json); logs go to stderr even though a dependency's bundled
        // simplelogger.properties says otherwise (system properties take precedence over it)
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // the PyTorch engine warns on every start of a machine without a GPU; jhdf logs every dataset
        setIfAbsent("org.slf4j.simpleLogger.log.ai.djl.util.cuda", "error");
        setIfAbsent("org.slf4j.simpleLogger.log.io.jhdf", "warn");
        CommandLine cl = new CommandLine(new Main(stderrTerminal));
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            int status = isBadInput(ex) ? EXIT_BAD_INPUT : EXIT_INTERNAL;
            cmd.getErr().println("tinyml " + cmd.getCommandName() + ": " + (status == EXIT_INTERNAL
                    ? "internal error: " : "") + reason(ex));
            if (status == EXIT_INTERNAL || System.getenv("TINYML_DEBUG") != null) {
                StringWriter sw = new StringWriter();
                ex.printStackTrace(new PrintWriter(sw));
                if (System.getenv("TINYML_DEBUG") != null) {
                    cmd.getErr().print(sw);
                }
            }
            cmd.getErr().flush();
            return status;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("tinyml: " + ex.getMessage().replace('\n', ' ')
                    + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return EXIT_BAD_INPUT;
        });
        int status = cl.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    static boolean isBadInput(Throwable ex) {
        return ex instanceof ModelException || ex instanceof IOException || ex instanceof IllegalArgumentException
                || ex instanceof BadInputException;
    }

    static String reason(Throwable ex) {
        if (ex instanceof NoSuchFileException e) {
            return "no such file: " + e.getFile();
        }
        if (ex instanceof AccessDeniedException e) {
            return e.getReason() != null ? e.getFile() + ": " + e.getReason() : "permission denied: " + e.getFile();
        }
        if (ex instanceof FileAlreadyExistsException e) {
            return e.getFile() + " " + (e.getReason() != null ? e.getReason() : "already exists");
        }
        String m = ex.getMessage();
        if (m == null || m.isBlank()) {
            m = ex.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Supplies the version from the jar manifest or the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"tinyml " + (v != null ? v : "0.1.0-SNAPSHOT")};
        }
    }
}
