/** Starts the pol language server on the connection given on the command line (--stdio). */
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { startServer } from "./server.js";

const connection = createConnection(ProposedFeatures.all);
startServer(connection);
connection.listen();
