// The HDEX test wallet: an EIP-1193 provider injected before the page loads (Playwright's
// add_init_script), announced over EIP-6963 and exposed as window.ethereum.
//
// anvil signs for its dev accounts, so every signing method (personal_sign, eth_signTypedData_v4,
// eth_sendTransaction) is forwarded to it as is; only what a wallet decides itself (accounts, chain,
// permissions) is answered here. Python drives it through window.__hdexTestWallet: rejectNext(),
// switchChain(id), useAccount(address), requests.
//
// Expects window.__hdexTestWalletConfig = {rpcUrl, chainId (number), account (address)} set before it.
(() => {
  "use strict";
  const config = window.__hdexTestWalletConfig;
  if (!config) throw new Error("HDEX test wallet: window.__hdexTestWalletConfig is missing");

  // Requests a real wallet shows to its user, who may say no.
  const NEEDS_APPROVAL = new Set([
    "eth_requestAccounts",
    "wallet_requestPermissions",
    "personal_sign",
    "eth_sign",
    "eth_signTypedData_v4",
    "eth_sendTransaction",
    "wallet_switchEthereumChain",
    "wallet_addEthereumChain",
  ]);
  // Requests that act for the account: refused until the page is connected (EIP-1193 code 4100).
  const NEEDS_ACCOUNT = new Set(["personal_sign", "eth_sign", "eth_signTypedData_v4", "eth_sendTransaction"]);

  const toHex = (n) => "0x" + Number(n).toString(16);
  const state = {
    account: config.account,
    chainId: toHex(config.chainId),
    connected: false,
    rejectNext: false,
    knownChains: new Set([toHex(config.chainId)]),
    listeners: new Map(),
    nextId: 1,
  };

  const providerError = (code, message, data) => Object.assign(new Error(message), { code, data });

  const emit = (event, value) => {
    for (const listener of [...(state.listeners.get(event) || [])]) {
      try {
        listener(value);
      } catch (error) {
        console.warn("HDEX test wallet: a listener of", event, "threw", error);
      }
    }
  };

  const forward = async (method, params) => {
    const response = await fetch(config.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: state.nextId++, method, params: params || [] }),
    });
    const body = await response.json();
    if (body.error) throw providerError(body.error.code, body.error.message, body.error.data);
    return body.result;
  };

  const answer = async (method, params) => {
    switch (method) {
      case "eth_requestAccounts":
      case "wallet_requestPermissions":
        state.connected = true;
        emit("connect", { chainId: state.chainId });
        return method === "eth_requestAccounts" ? [state.account] : [{ parentCapability: "eth_accounts" }];
      case "eth_accounts":
        return state.connected ? [state.account] : [];
      case "wallet_getPermissions":
        return state.connected ? [{ parentCapability: "eth_accounts" }] : [];
      case "wallet_revokePermissions":
        state.connected = false;
        emit("accountsChanged", []);
        return null;
      case "eth_chainId":
        return state.chainId;
      case "net_version":
        return String(parseInt(state.chainId, 16));
      case "wallet_addEthereumChain":
        state.knownChains.add(toHex(params[0].chainId));
        return null;
      case "wallet_switchEthereumChain": {
        const target = toHex(params[0].chainId);
        if (!state.knownChains.has(target)) throw providerError(4902, `Unrecognized chain ID ${target}`);
        switchChain(target);
        return null;
      }
      default:
        return forward(method, params);
    }
  };

  const provider = {
    async request({ method, params } = {}) {
      wallet.requests.push({ method, params: params === undefined ? null : params });
      if (NEEDS_ACCOUNT.has(method) && !state.connected) {
        throw providerError(4100, "The requested account and/or method has not been authorized by the user.");
      }
      if (NEEDS_APPROVAL.has(method) && state.rejectNext) {
        state.rejectNext = false;
        throw providerError(4001, "User rejected the request");
      }
      return answer(method, params);
    },
    on(event, listener) {
      if (!state.listeners.has(event)) state.listeners.set(event, new Set());
      state.listeners.get(event).add(listener);
      return provider;
    },
    removeListener(event, listener) {
      state.listeners.get(event)?.delete(listener);
      return provider;
    },
  };

  function switchChain(chainId) {
    const target = toHex(chainId);
    state.knownChains.add(target);
    if (target === state.chainId) return;
    state.chainId = target;
    emit("chainChanged", target);
  }

  // What the tests drive (page.evaluate) and read.
  const wallet = {
    requests: [],
    rejectNext() {
      state.rejectNext = true;
    },
    switchChain,
    useAccount(address) {
      state.account = address;
      if (state.connected) emit("accountsChanged", [address]);
    },
  };
  Object.defineProperty(window, "__hdexTestWallet", { value: wallet });

  const info = Object.freeze({
    uuid: "0b5e2a4c-7d1f-4c8e-9a3b-5f6d7e8c9a1b",
    name: "HDEX Test Wallet",
    icon:
      "data:image/svg+xml;base64," +
      btoa(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" ' +
          'fill="#1f6feb"/><text x="16" y="21" font-size="14" text-anchor="middle" fill="#fff">T</text></svg>',
      ),
    rdns: "dev.hdex.testwallet",
  });
  const announce = () =>
    window.dispatchEvent(
      new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }),
    );
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
  window.ethereum = provider;
})();
