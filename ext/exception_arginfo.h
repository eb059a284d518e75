/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 35fc35d04f4f628a5c7897a071162390461a53e0 */




static const zend_function_entry class_Psc_Worker_WorkerException_methods[] = {
	ZEND_FE_END
};

static zend_class_entry *register_class_Psc_Worker_WorkerException(zend_class_entry *class_entry_RuntimeException)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Psc\\Worker", "WorkerException", class_Psc_Worker_WorkerException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_RuntimeException);

	return class_entry;
}
