import ValidateForm from "../validate-form";

export default function Validate() {
  return (
    <main>
      <ValidateForm />
    </main>
  );
}
