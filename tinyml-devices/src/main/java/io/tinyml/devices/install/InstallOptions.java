package io.tinyml.devices.install;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how to install. Immutable; {@code with...} returns a copy.
 *
 * @param port the board's serial port (esptool, arduino-cli), empty if unused
 * @param chip the chip or target name for the tool (openocd target config, pyOCD target, esptool chip,
 *     arduino FQBN, QEMU machine)
 * @param tcpPort the TCP port of an emulated board's UART
 * @param mountPoint the mounted UF2 drive of an RP2040 in BOOTSEL mode (UF2 copy)
 */
public record InstallOptions(String port, String chip, int tcpPort, Path mountPoint) {
    /** Validates. */
    public InstallOptions {
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(chip, "chip");
        Objects.requireNonNull(mountPoint, "mountPoint");
    }

    /** @return no port, default chip per tool, TCP port 4000, mount point {@code /media/RPI-RP2} */
    public static InstallOptions defaults() {
        return new InstallOptions("", "", 4000, Path.of("/media/RPI-RP2"));
    }

    /**
     * @param p the serial port
     * @return a copy with it
     */
    public InstallOptions withPort(String p) {
        return new InstallOptions(p, chip, tcpPort, mountPoint);
    }

    /**
     * @param c the chip, target or FQBN
     * @return a copy with it
     */
    public InstallOptions withChip(String c) {
        return new InstallOptions(port, c, tcpPort, mountPoint);
    }

    /**
     * @param p the TCP port
     * @return a copy with it
     */
    public InstallOptions withTcpPort(int p) {
        return new InstallOptions(port, chip, p, mountPoint);
    }

    /**
     * @param m the mount point
     * @return a copy with it
     */
    public InstallOptions withMountPoint(Path m) {
        return new InstallOptions(port, chip, tcpPort, m);
    }

    String chipOr(String dflt) {
        return chip.isEmpty() ? dflt : chip;
    }

    String requirePort(Installer i) {
        if (port.isEmpty()) {
            throw new IllegalArgumentException("expected a serial port for " + i.cliName() + " (--port), found none");
        }
        return port;
    }
}
