package io.tinyml.cli;

import io.tinyml.devices.harness.DeviceClient;
import io.tinyml.devices.harness.HarnessOptions;
import io.tinyml.devices.registry.DeviceRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code tinyml device watch DEVICE [--seconds S] [--lines N] [--send CMD]}: prints the board's lines as
 * they arrive, optionally after sending one harness command; stops after S seconds, N lines or when the
 * line closes.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Prints a board's serial lines live (bounded by --seconds and --lines).")
final class DeviceWatchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DEVICE", description = "registered name, serial port path, tcp:HOST:PORT or exec:PROGRAM [ARGS]")
    String device;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "30", description = "stop after S seconds (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--lines", paramLabel = "N", defaultValue = "0", description = "stop after N lines (default: no limit)")
    int lines;

    @Option(names = "--send", paramLabel = "CMD", description = "a harness command to send first, without '%' (e.g. name)")
    String send;

    @Option(names = "--baud", paramLabel = "B", defaultValue = "0", description = "baud rate of a serial port (default: registered or 115200)")
    int baud;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (seconds <= 0 || lines < 0) {
            throw new BadInputException("expected --seconds > 0 and --lines >= 0, found " + seconds + " and " + lines);
        }
        DeviceRecord d = DeviceTarget.resolve(device, baud);
        PrintWriter out = spec.commandLine().getOut();
        int seen = 0;
        try (DeviceClient c = DeviceClient.wrap(DeviceTarget.open(d), HarnessOptions.defaults(), l -> { })) {
            if (send != null) {
                if (send.indexOf('%') >= 0 || send.length() > DeviceClient.MAX_COMMAND) {
                    throw new BadInputException("expected --send of at most " + DeviceClient.MAX_COMMAND
                            + " characters without '%', found '" + send + "'");
                }
                c.transport().write((send + "%").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            while (lines == 0 || seen < lines) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                String line = c.readLine(Duration.ofNanos(left));
                if (line != null) {
                    out.println(line);
                    out.flush();
                    seen++;
                }
            }
        }
        return 0;
    }
}
