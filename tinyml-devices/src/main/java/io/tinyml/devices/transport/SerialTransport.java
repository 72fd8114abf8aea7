package io.tinyml.devices.transport;

import com.fazecast.jSerialComm.SerialPort;
import com.fazecast.jSerialComm.SerialPortInvalidPortException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A serial port opened with jSerialComm: a USB CDC/UART adapter ({@code /dev/ttyACM0}, {@code COM3}) or
 * a pty ({@code /dev/pts/5}, e.g. QEMU's {@code -serial pty}). 8 data bits, one stop bit.
 *
 * <p>An unplugged adapter shows up as a failed read or write (jSerialComm returns -1) and becomes a
 * {@link TransportClosedException}. Not thread-safe except for {@link #close()}.
 */
public final class SerialTransport implements Transport {
    private static final int EACCES = 13;
    private final SerialPort port;
    private final String path;
    private volatile boolean closed;

    private SerialTransport(SerialPort port, String path) {
        this.port = port;
        this.path = path;
    }

    /** Parity of a serial line. */
    public enum Parity {
        /** No parity bit. */
        NONE(SerialPort.NO_PARITY),
        /** Even parity. */
        EVEN(SerialPort.EVEN_PARITY),
        /** Odd parity. */
        ODD(SerialPort.ODD_PARITY);

        private final int code;

        Parity(int code) {
            this.code = code;
        }

        /**
         * Parses {@code none}, {@code even} or {@code odd} (also {@code N}, {@code E}, {@code O}).
         *
         * @param s the text
         * @return the parity
         * @throws IllegalArgumentException if the text names no parity
         */
        public static Parity parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "none", "n" -> NONE;
                case "even", "e" -> EVEN;
                case "odd", "o" -> ODD;
                default -> throw new IllegalArgumentException("expected parity none, even or odd, found '" + s + "'");
            };
        }
    }

    /**
     * Opens a serial port by path.
     *
     * @param path the port path ({@code /dev/ttyACM0}, a pty path, {@code COM3})
     * @param baud the baud rate (the MLPerf Tiny harness uses 115200)
     * @param parity the parity
     * @return the open transport
     * @throws IOException with a one-line message if the port does not exist, is busy or not permitted
     * @throws IllegalArgumentException if the baud rate is not positive
     */
    public static SerialTransport open(String path, int baud, Parity parity) throws IOException {
        if (baud <= 0) {
            throw new IllegalArgumentException("expected a positive baud rate, found " + baud);
        }
        SerialPort p;
        try {
            p = SerialPort.getCommPort(path);
        } catch (SerialPortInvalidPortException e) {
            throw new IOException("cannot open serial port " + path + ": no such port", e);
        }
        p.setComPortParameters(baud, 8, SerialPort.ONE_STOP_BIT, parity.code);
        p.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, 100, 0);
        if (!p.openPort()) {
            int err = p.getLastErrorCode();
            String why;
            if (err == EACCES) {
                why = "permission denied (add yourself to the dialout group)";
            } else if (!java.nio.file.Files.exists(java.nio.file.Path.of(path))) {
                why = "no such port";
            } else {
                // jSerialComm takes an exclusive lock; on Linux a port another program holds fails here
                why = "port busy or not usable (another program has it open?) [errno " + err + "]";
            }
            throw new IOException("cannot open serial port " + path + ": " + why);
        }
        return new SerialTransport(p, path);
    }

    /**
     * Lists the serial ports of this machine.
     *
     * @return the ports, possibly empty
     */
    public static List<SerialPortInfo> list() {
        List<SerialPortInfo> out = new ArrayList<>();
        for (SerialPort p : SerialPort.getCommPorts()) {
            out.add(new SerialPortInfo(p.getSystemPortPath(), p.getDescriptivePortName(), p.getVendorID(),
                    p.getProductID(), p.getSerialNumber()));
        }
        return out;
    }

    @Override
    public String address() {
        return path;
    }

    @Override
    public void write(byte[] data) throws IOException {
        ensureOpen();
        int off = 0;
        while (off < data.length) {
            int n = port.writeBytes(data, data.length - off, off);
            if (n < 0) {
                closed = true;
                throw new TransportClosedException("serial port " + path + " is gone (unplugged?)");
            }
            off += n;
        }
    }

    @Override
    public int read(byte[] buffer, Duration timeout) throws IOException {
        ensureOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int avail = port.bytesAvailable();
            if (avail < 0) {
                closed = true;
                throw new TransportClosedException("serial port " + path + " is gone (unplugged?)");
            }
            long left = deadline - System.nanoTime();
            int wait = (int) Math.max(1, Math.min(100, left / 1_000_000));
            port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, wait, 0);
            int n = port.readBytes(buffer, buffer.length);
            if (n < 0) {
                closed = true;
                throw new TransportClosedException("serial port " + path + " is gone (unplugged?)");
            }
            if (n > 0 || left <= 0) {
                return n;
            }
            if (closed) {
                throw new TransportClosedException("serial port " + path + " is closed");
            }
        }
    }

    @Override
    public boolean isOpen() {
        return !closed && port.isOpen();
    }

    @Override
    public void close() {
        closed = true;
        port.closePort();
    }

    private void ensureOpen() throws TransportClosedException {
        if (closed) {
            throw new TransportClosedException("serial port " + path + " is closed");
        }
    }

    @Override
    public String toString() {
        return path;
    }
}
