import SendForm from "./send-form";

export default function Home() {
  return (
    <main>
      <SendForm />
    </main>
  );
}
