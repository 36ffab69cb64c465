// The page: loads the deployment's configuration, connects the injected wallet, and mounts the three flows.
import { loadConfig, type AppConfig } from "./config";
import { explain } from "./errors";
import { mountPass } from "./pass";
import { connect, type Session } from "./session";
import { mountStudio } from "./studio";
import { short } from "./ui";
import { mountVault } from "./vault";

let session: Session | undefined;
const current = () => session;

const connectButton = document.getElementById("connect") as HTMLButtonElement;
const walletStatus = document.getElementById("wallet-status")!;
const walletError = document.getElementById("wallet-error")!;
const flows = [mountStudio(current), mountPass(current), mountVault(current)];

function showError(message: string) {
  walletError.textContent = message;
  walletError.hidden = false;
}

async function start(config: AppConfig) {
  connectButton.disabled = true;
  walletError.hidden = true;
  try {
    session = await connect(config);
    walletStatus.textContent = `Connected: ${short(session.account)} on ${config.chainName} (chain ${config.chainId}).`;
    walletStatus.dataset.account = session.account;
    connectButton.textContent = "Connected";
    for (const f of flows) f.enable(true);
    await Promise.all(flows.map((f) => f.refresh(session!)));
    document.body.dataset.ready = "true";
  } catch (e) {
    session = undefined;
    for (const f of flows) f.enable(false);
    connectButton.disabled = false;
    showError(explain(e));
  }
}

async function main() {
  let config: AppConfig;
  try {
    config = await loadConfig();
  } catch (e) {
    showError(explain(e));
    return;
  }
  connectButton.addEventListener("click", () => void start(config));
  // A wallet that switches account or network mid-session: start over with what it now says.
  window.ethereum?.on?.("accountsChanged", () => session && void start(config));
  window.ethereum?.on?.("chainChanged", () => session && void start(config));
}

void main();
