package io.tinyml.devices.install;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where and how to install. Immutable; {@code with...} returns a copy.
 *
 * @param port the board's serial port (esptool, arduino-cli), empty if unused
 * @param chip the chip or target name for the tool (openocd target config, pyOCD target, esptool chip,
 *     arduino FQBN, QEMU machine)
 * @param tcpPort the TCP port of an emulated board's UART
 * @param mountPoint the mounted UF2 drive of an RP2040 in BOOTSEL mode (UF2 copy)
 * @param sshPort the SSH server's port for scp/ssh, 0 for ssh's default (22 or the user's ssh config)
 * @param identity the private key file for scp/ssh, empty for ssh's default keys
 * @param knownHosts the known-hosts file holding the board's host key, empty for the user's own
 */
public record InstallOptions(String port, String chip, int tcpPort, Path mountPoint, int sshPort, String identity,
                             String knownHosts) {
    /** Validates. */
    public InstallOptions {
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(chip, "chip");
        Objects.requireNonNull(mountPoint, "mountPoint");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(knownHosts, "knownHosts");
        if (sshPort < 0 || sshPort > 65535) {
            throw new IllegalArgumentException("expected an SSH port 1..65535 (or 0 for the default), found " + sshPort);
        }
    }

    /**
     * @return no port, default chip per tool, TCP port 4000, mount point {@code /media/RPI-RP2}, ssh's own
     *     port, keys and known hosts
     */
    public static InstallOptions defaults() {
        return new InstallOptions("", "", 4000, Path.of("/media/RPI-RP2"), 0, "", "");
    }

    /**
     * @param p the serial port
     * @return a copy with it
     */
    public InstallOptions withPort(String p) {
        return new InstallOptions(p, chip, tcpPort, mountPoint, sshPort, identity, knownHosts);
    }

    /**
     * @param c the chip, target or FQBN
     * @return a copy with it
     */
    public InstallOptions withChip(String c) {
        return new InstallOptions(port, c, tcpPort, mountPoint, sshPort, identity, knownHosts);
    }

    /**
     * @param p the TCP port
     * @return a copy with it
     */
    public InstallOptions withTcpPort(int p) {
        return new InstallOptions(port, chip, p, mountPoint, sshPort, identity, knownHosts);
    }

    /**
     * @param m the mount point
     * @return a copy with it
     */
    public InstallOptions withMountPoint(Path m) {
        return new InstallOptions(port, chip, tcpPort, m, sshPort, identity, knownHosts);
    }

    /**
     * @param p the SSH server's port (0 for ssh's default)
     * @return a copy with it
     */
    public InstallOptions withSshPort(int p) {
        return new InstallOptions(port, chip, tcpPort, mountPoint, p, identity, knownHosts);
    }

    /**
     * @param key the private key file for scp/ssh ({@code -i}), empty for ssh's default keys
     * @return a copy with it
     */
    public InstallOptions withIdentity(String key) {
        return new InstallOptions(port, chip, tcpPort, mountPoint, sshPort, key, knownHosts);
    }

    /**
     * @param file a known-hosts file with the board's host key ({@code -o UserKnownHostsFile=}), empty for the
     *     user's own; an unknown or changed host key is refused either way
     * @return a copy with it
     */
    public InstallOptions withKnownHosts(String file) {
        return new InstallOptions(port, chip, tcpPort, mountPoint, sshPort, identity, file);
    }

    /**
     * The options scp and ssh share: batch mode (never a password prompt), a bounded connect, and the port,
     * key and known-hosts file when given.
     *
     * @param portFlag {@code -P} for scp, {@code -p} for ssh
     * @return the options
     */
    List<String> sshOptions(String portFlag) {
        List<String> o = new ArrayList<>(List.of("-o", "BatchMode=yes", "-o", "ConnectTimeout=10"));
        if (sshPort != 0) {
            o.addAll(List.of(portFlag, Integer.toString(sshPort)));
        }
        if (!identity.isEmpty()) {
            o.addAll(List.of("-i", identity));
        }
        if (!knownHosts.isEmpty()) {
            o.addAll(List.of("-o", "UserKnownHostsFile=" + knownHosts));
        }
        return o;
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
