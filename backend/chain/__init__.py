"""Everything that talks to the EVM: the local node, compiled artifacts, deployment, RPC."""
