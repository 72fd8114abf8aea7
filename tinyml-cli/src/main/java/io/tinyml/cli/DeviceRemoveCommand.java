package io.tinyml.cli;

import io.tinyml.devices.registry.DeviceRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code tinyml device remove NAME}: forgets a registered device. */
@Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes a registered device.")
final class DeviceRemoveCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "the registered name")
    String name;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            DeviceRegistry.open().remove(name);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BadInputException(e.getReason());
        }
        spec.commandLine().getOut().println("removed " + name);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
