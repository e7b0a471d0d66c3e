"""What the system knows about its own running, at the base layer (imports no app): metric
instruments the apps increment, heartbeats of periodic jobs, leases and alert states. What
reads the apps' tables to judge the system (probes, collectors, the watchdog) is wiring, in
`oncall_project.ops`."""
