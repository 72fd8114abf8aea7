package io.tinyml.devices.transport;

import io.tinyml.devices.harness.DeviceClient;
import io.tinyml.devices.harness.DeviceException;
import io.tinyml.devices.harness.HarnessOptions;
import io.tinyml.devices.harness.InferenceResult;
import io.tinyml.devices.install.InstallOptions;
import io.tinyml.devices.install.Installation;
import io.tinyml.devices.install.Installer;
import io.tinyml.devices.install.Tools;
import io.tinyml.devices.testing.TestTools;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Linux-class device reached over SSH: the test starts its own sshd on 127.0.0.1 (a fresh host key, a client
 * key, everything in a temp directory), the scp installer copies the static host harness to a remote path
 * and kws runs over {@code exec:ssh ...} through the MLPerf Tiny client, equal to the interpreter.
 */
class SshDeviceTest {
    private static final String SSHD = "/usr/sbin/sshd";
    @TempDir
    static Path dir;
    private static Process sshd;
    private static int port;
    private static InstallOptions ssh;

    @BeforeAll
    static void startSshd() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(SSHD)) || "true".equalsIgnoreCase(System.getenv("CI")),
                "sshd not installed (Debian package openssh-server)");
        TestTools.require("ssh", "scp", "ssh-keygen");
        Path hostKey = keygen("host_ed25519");
        Path clientKey = keygen("client_ed25519");
        Path authorized = Files.copy(Path.of(clientKey + ".pub"), dir.resolve("authorized_keys"));
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "ListenAddress 127.0.0.1", "Port " + port, "HostKey " + hostKey, "AuthorizedKeysFile " + authorized,
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "StrictModes no", "UsePAM no",
                "PidFile " + dir.resolve("sshd.pid"), "Subsystem sftp internal-sftp", ""));
        // the client trusts exactly this host key: no prompt, and the user's own known_hosts stays untouched
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " "
                + Files.readString(Path.of(hostKey + ".pub"), StandardCharsets.UTF_8));
        if ("root".equals(System.getProperty("user.name"))) {
            // sshd started by root needs its privilege separation directory, which Debian creates at boot
            Files.createDirectories(Path.of("/run/sshd"));
        }
        Path log = dir.resolve("sshd.log");
        sshd = new ProcessBuilder(SSHD, "-D", "-e", "-f", config.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        // no clock: sshd -D either listens or exits with its reason in the log
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                break;
            } catch (IOException e) {
                if (!sshd.isAlive()) {
                    fail("sshd did not listen on 127.0.0.1:" + port + ": " + Files.readString(log).strip());
                }
                Thread.sleep(50);
            }
        }
        ssh = InstallOptions.defaults().withSshPort(port).withIdentity(clientKey.toString())
                .withKnownHosts(knownHosts.toString());
    }

    private static Path keygen(String name) throws Exception {
        Path key = dir.resolve(name);
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "tinyml-test", "-f",
                key.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out); // its output has ended, so it has exited or is about to
        return key;
    }

    @AfterAll
    static void stopSshd() throws Exception {
        if (sshd != null) {
            sshd.destroy();
            if (!sshd.waitFor(10, TimeUnit.SECONDS)) {
                sshd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String user() {
        return System.getProperty("user.name");
    }

    @Test
    void theScpInstallerCopiesTheHarnessAndKwsOverSshEqualsTheInterpreter() throws Exception {
        TestTools.require("make", "gcc");
        Path exe = ProcessTransportTest.build(Files.createDirectories(dir.resolve("project")), "harness-host");
        Path board = Files.createDirectories(dir.resolve("board"));
        InstallOptions o = ssh.withPort(user() + "@127.0.0.1:" + board + "/");
        List<String> cmd = Installation.plan(Installer.SCP, exe, o, null);
        assertEquals(List.of(Tools.find("scp").orElseThrow().toString(), "-o", "BatchMode=yes", "-o",
                "ConnectTimeout=10", "-P", Integer.toString(port), "-i", ssh.identity(), "-o",
                "UserKnownHostsFile=" + ssh.knownHosts(), exe.toString(), user() + "@127.0.0.1:" + board + "/"), cmd);
        int[] reports = {0};
        Installation.run(cmd, Duration.ofSeconds(60), (task, done, total) -> reports[0]++);
        assertEquals(2, reports[0]);
        Path remote = board.resolve("harness");
        assertArrayEquals(Files.readAllBytes(exe), Files.readAllBytes(remote));
        assertTrue(Files.isExecutable(remote));

        String address = Installer.SCP.execAddress(exe, o);
        assertTrue(address.endsWith(" " + user() + "@127.0.0.1 " + remote), address);
        long t0 = System.nanoTime();
        InferenceResult r = ProcessTransportTest.benchKws(Transports.open(address, 0, Duration.ofSeconds(10)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // a figure for the report, not an assertion: tests count work, benchmarks measure time
        System.out.printf("kws over ssh: connect+load+infer %d ms wall, board's own %d us per inference%n", ms,
                (r.endMicros() - r.startMicros()) / r.runs());
    }

    @Test
    void aWrongPortIsOneLineAndNoHang(@TempDir Path local) throws Exception {
        int closed;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = free.getLocalPort();
        }
        Path prog = Files.write(local.resolve("prog"), new byte[] {1, 2, 3});
        InstallOptions o = ssh.withSshPort(closed).withPort(user() + "@127.0.0.1:" + local + "/copy");
        IOException e = assertThrows(IOException.class, () -> Installation.run(
                Installation.plan(Installer.SCP, prog, o, null), Duration.ofSeconds(30), (task, done, total) -> { }));
        assertTrue(e.getMessage().contains("port " + closed + ": Connection refused"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(Files.exists(local.resolve("copy")));

        String address = Installer.SCP.execAddress(prog, o);
        DeviceException d = assertThrows(DeviceException.class, () -> {
            try (DeviceClient c = DeviceClient.connect(Transports.open(address, 0, Duration.ofSeconds(10)),
                    HarnessOptions.defaults())) {
                c.identify();
            }
        });
        assertTrue(d.getMessage().startsWith(address + " closed the line"), d.getMessage());
        assertFalse(d.getMessage().contains("\n"), d.getMessage());
    }
}
