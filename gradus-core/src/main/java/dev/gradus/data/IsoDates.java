package dev.gradus.data;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * ISO-8601 dates and date-times as the three numbers a network reads: days since 1970-01-01
 * (with the time of day as a fraction; a date-time with an offset is first moved to UTC), the
 * month (1–12) and the day of the week (1 = Monday … 7 = Sunday) of the date as written.
 *
 * <p>Accepted: {@code 2024-03-01}, {@code 2024-03-01T14:30}, {@code 2024-03-01 14:30:15.5},
 * {@code 2024-03-01T14:30:00Z}, {@code 2024-03-01T14:30:00+01:00}.
 */
final class IsoDates {
    private IsoDates() {}

    /** The number of network inputs a date column gives. */
    static final int WIDTH = 3;

    /** The suffixes of the three input names: {@code COL.days}, {@code COL.month}, {@code COL.weekday}. */
    static final String[] INPUTS = {"days", "month", "weekday"};

    /** Writes the three inputs of {@code text} to {@code out[at..at+2]}; false when it is not an ISO date. */
    static boolean encode(String text, float[] out, int at) {
        double[] v = values(text);
        if (v == null) {
            return false;
        }
        out[at] = (float) v[0];
        out[at + 1] = (float) v[1];
        out[at + 2] = (float) v[2];
        return true;
    }

    /** {days, month, weekday} of {@code text}, or null when it is not an ISO date or date-time. */
    static double[] values(String text) {
        String s = text.strip();
        if (s.length() < 10 || s.charAt(4) != '-' || s.charAt(7) != '-' || !Character.isDigit(s.charAt(0))) {
            return null;
        }
        try {
            if (s.length() == 10) {
                LocalDate d = LocalDate.parse(s);
                return new double[] {d.toEpochDay(), d.getMonthValue(), d.getDayOfWeek().getValue()};
            }
            if (s.charAt(10) == ' ') {
                s = s.substring(0, 10) + 'T' + s.substring(11);
            }
            if (s.charAt(10) != 'T') {
                return null;
            }
            LocalDateTime local;
            double seconds;
            char last = s.charAt(s.length() - 1);
            if (last == 'Z' || s.lastIndexOf('+') > 10 || s.lastIndexOf('-') > 10) {
                OffsetDateTime t = OffsetDateTime.parse(s);
                local = t.toLocalDateTime();
                seconds = t.toEpochSecond() + t.getNano() / 1e9;
            } else {
                local = LocalDateTime.parse(s);
                seconds = local.toEpochSecond(ZoneOffset.UTC) + local.getNano() / 1e9;
            }
            return new double[] {seconds / 86_400, local.getMonthValue(), local.getDayOfWeek().getValue()};
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The date of {@code epochDays} (rounded to a whole day), as ISO text: a fill value for missing dates. */
    static String ofEpochDays(double epochDays) {
        return LocalDate.ofEpochDay(Math.round(epochDays)).toString();
    }
}
