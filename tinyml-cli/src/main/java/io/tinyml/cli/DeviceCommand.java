package io.tinyml.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tinyml device list|add|remove|bench|run|watch|install}: boards reached over a serial line or
 * TCP, spoken to with the MLPerf Tiny test-harness protocol. DEVICE is a registered name, a serial port
 * path ({@code /dev/ttyACM0}, a pty) or {@code tcp:HOST:PORT}.
 */
@Command(name = "device", mixinStandardHelpOptions = true,
        description = "Registers, installs, benchmarks and watches boards (MLPerf Tiny harness protocol).",
        subcommands = {DeviceListCommand.class, DeviceAddCommand.class, DeviceRemoveCommand.class,
                DeviceBenchCommand.class, DeviceRunCommand.class, DeviceWatchCommand.class,
                DeviceInstallCommand.class})
public final class DeviceCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Creates the command. */
    public DeviceCommand() {
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
