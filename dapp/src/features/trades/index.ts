export { RecentTrades } from "./recent-trades";
