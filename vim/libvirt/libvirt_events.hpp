#pragma once
/// @file
/// libvirt's event loop for lifecycle events: the default implementation registered once per
/// process (before the first connection that subscribes is opened) and run on a thread of its
/// own, which wakes at least every half second to notice the end of the process.

namespace escd::vim::libvirt {

/// Registers the default event implementation and starts its thread, once. False when libvirt
/// refused (events are then not delivered and callers poll).
bool EnsureEventLoop();

}  // namespace escd::vim::libvirt
