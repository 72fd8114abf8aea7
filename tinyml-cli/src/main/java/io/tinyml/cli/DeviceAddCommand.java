package io.tinyml.cli;

import io.tinyml.devices.registry.DeviceRecord;
import io.tinyml.devices.registry.DeviceRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code tinyml device add NAME ADDRESS [--baud B] [--board FAMILY] [--force]}: registers a device. */
@Command(name = "add", mixinStandardHelpOptions = true, description = "Registers a device under a name.")
final class DeviceAddCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "the name to use for it")
    String name;

    @Parameters(index = "1", paramLabel = "ADDRESS", description = "tcp:HOST:PORT, exec:PROGRAM [ARGS] or a serial port path")
    String address;

    @Option(names = "--baud", paramLabel = "B", defaultValue = "115200", description = "baud rate (default ${DEFAULT-VALUE})")
    int baud;

    @Option(names = "--board", paramLabel = "FAMILY", defaultValue = "",
            description = "board family for installs: qemu, stm32, esp32, arduino, rp2040 (see 'device install --help')")
    String board;

    @Option(names = "--force", description = "replace a device of the same name")
    boolean force;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!io.tinyml.devices.transport.Transports.isAddress(address)) {
            throw new BadInputException("expected ADDRESS tcp:HOST:PORT, exec:PROGRAM or a serial port path, found '"
                    + address + "'");
        }
        DeviceRegistry r = DeviceRegistry.open();
        r.add(new DeviceRecord(name, address, baud, board), force);
        spec.commandLine().getOut().println("registered " + name + " at " + address + " (" + baud + " baud) in "
                + r.directory());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
