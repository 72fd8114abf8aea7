package io.tinyml.cli;

import io.tinyml.core.ModelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

/**
 * Entry point of the {@code tinyml} command line.
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
                CodegenCommand.class, TrainCommand.class})
public final class Main implements Runnable {
    /** Exit status for bad usage or bad input. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit status for an internal failure. */
    public static final int EXIT_INTERNAL = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Creates the root command. */
    public Main() {
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
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
        // stdout carries results (--json); logs go to stderr even though a dependency's bundled
        // simplelogger.properties says otherwise (system properties take precedence over it)
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // the PyTorch engine warns on every start of a machine without a GPU; jhdf logs every dataset
        setIfAbsent("org.slf4j.simpleLogger.log.ai.djl.util.cuda", "error");
        setIfAbsent("org.slf4j.simpleLogger.log.io.jhdf", "warn");
        CommandLine cl = new CommandLine(new Main());
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
                    + " (see 'tinyml " + ex.getCommandLine().getCommandName() + " --help')");
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
            return "permission denied: " + e.getFile();
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
