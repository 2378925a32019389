#pragma once
// libsystemd's sd-bus, loaded with dlopen the first time the systemd cgroup
// driver needs it: every other verb and configuration starts without
// libsystemd and the six libraries it pulls in (lzma, zstd, lz4, gcrypt,
// gpg-error, cap), which cost start-up time and RSS (bench/ANALYSIS.md).
#include <systemd/sd-bus.h>

namespace ocirt::cgroups::systemd {

#define OCIRT_SD_BUS_FUNCTIONS(X)                                                                       \
    X(bus_new) X(bus_set_address) X(bus_set_bus_client) X(bus_set_method_call_timeout) X(bus_start)  \
    X(bus_flush_close_unref) X(bus_call) X(bus_call_method) X(bus_process) X(bus_wait)               \
    X(bus_match_signal) X(bus_slot_unref) X(bus_error_free) X(bus_error_has_name)                    \
    X(bus_error_is_set) X(bus_message_new_method_call) X(bus_message_unref) X(bus_message_append)    \
    X(bus_message_append_basic) X(bus_message_append_array) X(bus_message_open_container)            \
    X(bus_message_close_container) X(bus_message_read) X(bus_get_property_string)

// The sd_bus_* functions the driver calls, by their names without "sd_".
struct SdBus {
#define OCIRT_SD_BUS_MEMBER(f) decltype(&::sd_##f) f = nullptr;
    OCIRT_SD_BUS_FUNCTIONS(OCIRT_SD_BUS_MEMBER)
#undef OCIRT_SD_BUS_MEMBER
};

// Loads libsystemd.so.0 once; throws naming the library (and Debian's
// libsystemd0) when it is missing, or when this ocirt is linked statically
// (OCIRT_LINK=full), where a shared library cannot be loaded safely.
const SdBus& sd();

}  // namespace ocirt::cgroups::systemd
