package io.tinyml.devices.registry;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A registered device.
 *
 * @param name the name users refer to it by (letters, digits, {@code . _ -}; at most 64)
 * @param address {@code tcp:HOST:PORT} or a serial port path
 * @param baud the baud rate of a serial port
 * @param board the board family ({@code qemu-mps2-an386}, {@code stm32}, {@code esp32}, ...), free text
 */
public record DeviceRecord(String name, String address, int baud, String board) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /**
     * Validates the record.
     *
     * @throws IllegalArgumentException if the name is not a plain name, the address empty or the baud not positive
     */
    public DeviceRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(board, "board");
        if (!NAME.matcher(name).matches() || name.startsWith(".")) {
            throw new IllegalArgumentException("expected a device name of letters, digits, '.', '_' or '-' (at most 64),"
                    + " found '" + name + "'");
        }
        if (address.isBlank()) {
            throw new IllegalArgumentException("expected an address (tcp:HOST:PORT or a serial port), found none");
        }
        if (baud <= 0) {
            throw new IllegalArgumentException("expected a positive baud rate, found " + baud);
        }
    }
}
