import { redirect } from "next/navigation";

/** The landing page is the overview (every topology and director at a glance). */
export default function Home(): never {
  redirect("/overview");
}
