package io.tinyml.cli;

import io.tinyml.core.target.Target;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.devices.emulator.EmulatedBoard;
import io.tinyml.devices.install.InstallOptions;
import io.tinyml.devices.install.Installation;
import io.tinyml.devices.install.Installer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tinyml device install FIRMWARE --with INSTALLER [--target NAME] [--port P] [--chip C] [--tcp-port N]
 * [--mount DIR] [--ssh-port N] [--identity KEY] [--known-hosts FILE] [--dry-run]}: puts a firmware on a board
 * with a real tool found on the PATH. A dry run prints the exact command; a missing tool is one line naming
 * its package; a firmware too large for the target is refused. {@code --with qemu} starts the emulated board
 * in the background; {@code --with scp} copies a Linux-class board's program and prints its {@code exec:ssh}
 * address for {@code device bench}.
 */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Installs a firmware: qemu, openocd, pyocd, st-flash, esptool, arduino-cli, picotool, uf2-copy, scp.")
final class DeviceInstallCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FIRMWARE", description = "the firmware (.elf, .bin, .uf2 or a sketch build dir)")
    Path firmware;

    @Option(names = "--with", required = true, paramLabel = "INSTALLER",
            description = "qemu, openocd, pyocd, st-flash, esptool, arduino-cli, picotool, uf2-copy or scp")
    String with;

    @Option(names = "--target", paramLabel = "NAME", description = "board for the size check (see 'tinyml targets');"
            + " default qemu-mps2-an386 for qemu")
    String target;

    @Option(names = "--port", paramLabel = "P", defaultValue = "", description = "serial port (esptool, arduino-cli) or user@host:/path (scp)")
    String port;

    @Option(names = "--chip", paramLabel = "C", defaultValue = "",
            description = "QEMU machine, OpenOCD target config, pyOCD target, esptool chip or Arduino FQBN")
    String chip;

    @Option(names = "--tcp-port", paramLabel = "N", defaultValue = "4000", description = "UART port of the emulated board (default ${DEFAULT-VALUE})")
    int tcpPort;

    @Option(names = "--mount", paramLabel = "DIR", defaultValue = "/media/RPI-RP2", description = "RP2040 BOOTSEL drive for uf2-copy (default ${DEFAULT-VALUE})")
    Path mount;

    @Option(names = "--ssh-port", paramLabel = "N", defaultValue = "0", description = "SSH port for scp (default: ssh's own)")
    int sshPort;

    @Option(names = "--identity", paramLabel = "KEY", defaultValue = "", description = "private key for scp/ssh (default: ssh's own)")
    String identity;

    @Option(names = "--known-hosts", paramLabel = "FILE", defaultValue = "",
            description = "known-hosts file holding the board's host key (default: the user's own)")
    String knownHosts;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "300", description = "seconds the tool may take (default ${DEFAULT-VALUE})")
    int timeout;

    @Option(names = "--dry-run", description = "print the exact command instead of running it")
    boolean dryRun;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Installer installer = Installer.parse(with);
        String t = target != null ? target : installer == Installer.QEMU ? "qemu-mps2-an386" : null;
        Target board = t == null ? null : TargetCatalog.get(t);
        InstallOptions o = InstallOptions.defaults().withPort(port).withChip(chip).withTcpPort(tcpPort)
                .withMountPoint(mount).withSshPort(sshPort).withIdentity(identity).withKnownHosts(knownHosts);
        List<String> cmd = Installation.plan(installer, firmware, o, board);
        PrintWriter out = spec.commandLine().getOut();
        if (dryRun) {
            out.println(String.join(" ", cmd.stream().map(DeviceInstallCommand::quote).toList()));
        } else if (installer == Installer.QEMU) {
            EmulatedBoard b = EmulatedBoard.launch(cmd, tcpPort, Duration.ofSeconds(Math.max(1, Math.min(timeout, 60))));
            out.printf("emulated board running (QEMU pid %d): tinyml device bench tcp:127.0.0.1:%d ...; stop it with"
                    + " 'kill %d'%n", b.pid(), tcpPort, b.pid());
        } else {
            Installation.run(cmd, Duration.ofSeconds(timeout), (task, done, total) -> { });
            out.println("installed " + firmware + " with " + installer.tool());
            if (installer == Installer.SCP) {
                out.println("run it: tinyml device bench " + quote(installer.execAddress(firmware, o)) + " ...");
            }
        }
        out.flush();
        return 0;
    }

    private static String quote(String s) {
        return s.matches("[A-Za-z0-9_./:=,@+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
